package schedule

import (
	"maps"
	"slices"
	"testing"
)

func TestExpressionStatsHaveCindersKeys(t *testing.T) {
	p := pool("b#p", 100, 50, 10)
	// driver_filter.py and goodness.py build different dicts.
	filter := slices.Sorted(maps.Keys(exprStats(p, p.Capabilities(), forDriverFilter)))
	want := []string{"QoS_support", "allocated_capacity_gb", "backend_id", "cluster_name", "driver_version", "free_capacity_gb",
		"host", "reserved_percentage", "storage_protocol", "total_capacity_gb", "updated", "vendor_name", "volume_backend_name"}
	if !slices.Equal(filter, want) {
		t.Errorf("DriverFilter stats keys = %v, want %v", filter, want)
	}
	goodness := slices.Sorted(maps.Keys(exprStats(p, p.Capabilities(), forGoodnessWeigher)))
	want = slices.DeleteFunc(want, func(k string) bool { return k == "backend_id" || k == "cluster_name" })
	if !slices.Equal(goodness, want) {
		t.Errorf("GoodnessWeigher stats keys = %v, want %v", goodness, want)
	}
}

func TestExpressionVolumeIsTheRequestsVolumeProperties(t *testing.T) {
	create := exprVolume(&Request{SizeGiB: 10, AvailabilityZone: "az1", VolumeType: "gold",
		ExtraSpecs: map[string]string{"multiattach": "<is> True"}, Metadata: map[string]string{"k": "v"}})
	if create["size"] != 10 || create["status"] != "creating" || create["attach_status"] != "detached" ||
		create["availability_zone"] != "az1" || create["volume_type_id"] != "gold" || create["multiattach"] != true {
		t.Errorf("create volume properties = %v", create)
	}
	extend := exprVolume(&Request{SizeGiB: 10, OldSizeGiB: 4})
	if extend["size"] != 4 || extend["status"] != "extending" {
		t.Errorf("extend volume properties = %v, want the old size 4 and status extending", extend)
	}
	if _, ok := extend["availability_zone"]; ok {
		t.Errorf("an unset zone should be absent, got %v", extend)
	}
}

func TestProtocolVariantsDoNotTouchTheCachedCapabilities(t *testing.T) {
	p := pool("b#p", 100, 50, 0, withProtocol("fibre_channel"))
	vs := exprVariants(p, &Request{}, "capabilities.storage_protocol == 'FC'", forDriverFilter)
	var got []string
	for _, v := range vs {
		got = append(got, v.protocol+"="+v.vars["capabilities"]["storage_protocol"].(string))
	}
	if want := []string{"FC=FC", "fibre_channel=fibre_channel", "fc=fc"}; !slices.Equal(got, want) {
		t.Errorf("variants = %v, want Cinder's FC_VARIANTS order %v", got, want)
	}
	if p.Capabilities()["storage_protocol"] != "fibre_channel" {
		t.Errorf("the pool's cached capabilities were modified")
	}
}

func TestParsedFunctionsAreCached(t *testing.T) {
	a, errA := parseExpr("volume.size < 17")
	b, errB := parseExpr("volume.size < 17")
	if errA != nil || errB != nil || a != b {
		t.Errorf("parseExpr twice = %p, %p (%v, %v); want the same cached Expr", a, b, errA, errB)
	}
	_, err1 := parseExpr("1 +")
	_, err2 := parseExpr("1 +")
	if err1 == nil || err1 != err2 {
		t.Errorf("a syntax error should be cached too: %v, %v", err1, err2)
	}
}

// BenchmarkGoodnessWeigherPerPool is the scheduler's cost per request ×
// pool: variables built, the cached function looked up and evaluated.
func BenchmarkGoodnessWeigherPerPool(b *testing.B) {
	p := fnPool(map[string]any{"goodness_function": "volume.size > 100 ? 0 : max(0, min(100, capabilities.free_capacity_gb / capabilities.total_capacity_gb * 100 - stats.allocated_capacity_gb / 1000))"})
	req := &Request{SizeGiB: 10, ExtraSpecs: map[string]string{"volume_backend_name": "b"}}
	w := GoodnessWeigher{Mult: 1}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.Weigh(p, req); err != nil {
			b.Fatal(err)
		}
	}
}
