package schedule

import (
	"fmt"
	"strings"
	"testing"

	"github.com/slab-storage/slab/drivers"
)

// capsPool is a pool reporting the given custom capabilities.
func capsPool(caps map[string]any, mutate ...func(*PoolState)) *PoolState {
	p := &PoolState{Name: "b1#p1", Backend: "b1", AvailabilityZone: "az1", Stats: drivers.PoolStats{
		TotalCapacityGB: drivers.GiB(1000), FreeCapacityGB: drivers.GiB(1024),
		ThinProvisioningSupport: true, OnlineExtendSupport: true, StorageProtocol: "iSCSI",
		Capabilities: caps,
	}}
	for _, m := range mutate {
		m(p)
	}
	return p
}

func TestCapabilitiesFilter(t *testing.T) {
	scoped := map[string]any{"scope_lv0": map[string]any{"scope_lv1": map[string]any{"scope_lv2": map[string]any{
		"opt1": []any{true, false}, "opt2": []any{"1", "2"}}}}}
	tests := []struct {
		name   string
		caps   map[string]any
		specs  map[string]string
		pass   bool
		reason string // a substring of the rejection reason
	}{
		// Cinder's BasicFiltersTestCase capability cases.
		{"equal plain values pass", map[string]any{"opt1": "1", "opt2": "2"},
			map[string]string{"opt1": "1", "opt2": "2"}, true, ""},
		{"one different plain value fails", map[string]any{"opt1": "1", "opt2": "2"},
			map[string]string{"opt1": "1", "opt2": "222"}, false, `opt2: requires "222", pool has "2"`},
		{"number operators pass on int capabilities", map[string]any{"opt1": int64(10), "opt2": int64(5)},
			map[string]string{"opt1": ">= 2", "opt2": "<= 8"}, true, ""},
		{"a number operator that does not hold fails", map[string]any{"opt1": int64(10), "opt2": int64(5)},
			map[string]string{"opt1": ">= 2", "opt2": ">= 8"}, false, `opt2: requires ">= 8", pool has 5`},
		{"a list capability passes when an element matches", map[string]any{"opt1": []any{"1", "2"}, "opt2": "2"},
			map[string]string{"opt1": "1", "opt2": "2"}, true, ""},
		{"a list of bools passes <is> True", map[string]any{"opt1": []any{true, false}, "opt2": []any{"1", "2"}},
			map[string]string{"opt1": "<is> True", "opt2": "<= 8"}, true, ""},
		{"a list of bools passes <is> False", map[string]any{"opt1": []any{true, false}, "opt2": []any{"1", "2"}},
			map[string]string{"opt1": "<is> False", "opt2": "<= 8"}, true, ""},
		{"a list capability fails when no element matches", map[string]any{"opt1": []any{"1", "2"}, "opt2": []any{"2"}},
			map[string]string{"opt1": "3", "opt2": "2"}, false, `opt1: requires "3", pool has ["1","2"]`},
		{"a list of bools fails a plain word", map[string]any{"opt1": []any{true, false}, "opt2": []any{"1", "2"}},
			map[string]string{"opt1": "fake", "opt2": "<= 8"}, false, `opt1: requires "fake"`},
		{"a capabilities: key walks one level", map[string]any{"scope_lv1": map[string]any{"opt1": int64(10)}},
			map[string]string{"capabilities:scope_lv1:opt1": ">= 2"}, true, ""},
		{"a key in another scope is not matched", map[string]any{"scope_lv1": map[string]any{"opt1": int64(10)}, "opt2": int64(5)},
			map[string]string{"scope_lv1:opt1": "= 2", "opt2": ">= 3"}, true, ""},
		{"a scoped requirement that does not hold fails", map[string]any{"scope_lv1": map[string]any{"opt1": int64(10)}},
			map[string]string{"capabilities:scope_lv1:opt1": "<= 2"}, false, `capabilities:scope_lv1:opt1: requires "<= 2", pool has 10`},
		{"a capabilities: key walks many levels", map[string]any{"scope_lv0": map[string]any{"scope_lv1": map[string]any{"scope_lv2": map[string]any{"opt1": int64(10)}}}},
			map[string]string{"capabilities:scope_lv0:scope_lv1:scope_lv2:opt1": ">= 2"}, true, ""},
		{"a walk through null fails", map[string]any{"scope_lv0": map[string]any{"scope_lv1": nil}},
			map[string]string{"capabilities:scope_lv0:scope_lv1:scope_lv2:opt1": ">= 2"}, false, `pool has scope_lv0:scope_lv1 = null, which has no "scope_lv2"`},
		{"a walk into a missing scope fails", map[string]any{"scope_lv0": map[string]any{"opt1": int64(10)}},
			map[string]string{"capabilities:scope_lv1:opt1": ">= 2"}, false, `pool does not report "scope_lv1"`},
		{"a null capability fails a plain word", map[string]any{"scope_lv0": map[string]any{"opt1": nil}},
			map[string]string{"capabilities:scope_lv0:opt1": "foo"}, false, `pool has null`},
		{"a deep list passes when an element matches", scoped,
			map[string]string{"capabilities:scope_lv0:scope_lv1:scope_lv2:opt1": "<is> True"}, true, ""},
		{"one failing deep list fails the pool", scoped,
			map[string]string{"capabilities:scope_lv0:scope_lv1:scope_lv2:opt1": "<is> True", "capabilities:scope_lv0:scope_lv1:scope_lv2:opt2": "3"}, false, `opt2: requires "3"`},
		{"a deep list under a missing scope fails", map[string]any{"scope_lv0": map[string]any{"opt1": []any{true, false}}},
			map[string]string{"capabilities:scope_lv1:opt1": "<is> True"}, false, `does not report "scope_lv1"`},

		// slab's reasons and the remaining corners.
		{"no extra specs pass any pool", nil, nil, true, ""},
		{"the reason names key, requirement and value", map[string]any{"disk": "hdd"},
			map[string]string{"capabilities:disk": "ssd"}, false, `capabilities:disk: requires "ssd", pool has "hdd"`},
		{"an unscoped key the pool does not report fails", nil,
			map[string]string{"disk": "ssd"}, false, `disk: requires "ssd", pool does not report "disk"`},
		{"provisioning, RESKEY and vendor keys are not matched here", nil,
			map[string]string{"provisioning:type": "thick", "RESKEY:availability_zones": "az9", "acme:tier": "gold", ":odd": "x"}, true, ""},
		{"capabilities: with nothing after it names a missing empty key", nil,
			map[string]string{"capabilities:": "x"}, false, `does not report ""`},
		{"the bare key capabilities is the whole object, and <in> tests its keys", nil,
			map[string]string{"capabilities": "<in> total_capacity_gb"}, true, ""},
		{"the bare key capabilities never equals a word", nil,
			map[string]string{"capabilities": "ssd"}, false, `capabilities: requires "ssd", pool has {`},
		{"walking into a string fails", map[string]any{"disk": "ssd"},
			map[string]string{"capabilities:disk:type": "ssd"}, false, `pool has disk = "ssd", which has no "type"`},
		{"a walk into a list fails, as Cinder cannot index a list by name", map[string]any{"disks": []any{map[string]any{"type": "ssd"}}},
			map[string]string{"capabilities:disks:type": "ssd"}, false, `which has no "type"`},
		{"a stats key is a capability too", nil,
			map[string]string{"thin_provisioning_support": "<is> True", "capabilities:total_capacity_gb": ">= 500"}, true, ""},
		{"a bool stat never equals the word True", nil,
			map[string]string{"thin_provisioning_support": "True"}, false, `pool has true`},
		{"an int capability never equals its digits", map[string]any{"tier": int64(10)},
			map[string]string{"tier": "10"}, false, `tier: requires "10", pool has 10`},
		{"volume_backend_name defaults to the backend name", nil,
			map[string]string{"volume_backend_name": "b1"}, true, ""},
		{"an unreported vendor_name is null, which meets no operator", nil,
			map[string]string{"vendor_name": "<is> False"}, false, `pool has null`},
		{"s< against a number fails with Cinder's TypeError", map[string]any{"tier": int64(10)},
			map[string]string{"capabilities:tier": "s< 5"}, false, `capabilities:tier: requires "s< 5", pool has 10: s< compares text, and 10 is a number`},
		{"a list stops at its first match before an element that would raise", map[string]any{"tier": []any{"a", int64(10)}},
			map[string]string{"tier": "s< b"}, true, ""},
		{"a list raises at an element before any match", map[string]any{"tier": []any{int64(10), "a"}},
			map[string]string{"tier": "s< b"}, false, "Cinder raises TypeError"},
		{"<or> with no alternative fails with Cinder's IndexError", map[string]any{"tier": "a"},
			map[string]string{"tier": "<or>"}, false, "IndexError"},

		// storage_protocol and its spellings (cinder/common/constants.py).
		{"iscsi matches a pool reporting iSCSI", nil,
			map[string]string{"storage_protocol": "iscsi"}, true, ""},
		{"capabilities:storage_protocol also sees the spellings", nil,
			map[string]string{"capabilities:storage_protocol": "<in> isc"}, true, ""},
		{"another protocol fails and the reason lists the spellings", nil,
			map[string]string{"storage_protocol": "FC"}, false, `storage_protocol: requires "FC", pool has "iSCSI" (also spelled "iscsi")`},
		{"fc matches a pool reporting fibre_channel", map[string]any{"storage_protocol": "fibre_channel"},
			map[string]string{"storage_protocol": "fc"}, true, ""},
		{"<or> matches any spelling of NVMe-oF", map[string]any{"storage_protocol": "nvmeof"},
			map[string]string{"storage_protocol": "<or> FC <or> NVMeOF"}, true, ""},
		{"spellings are exact, so ISCSI has none", map[string]any{"storage_protocol": "ISCSI"},
			map[string]string{"storage_protocol": "iscsi"}, false, `pool has "ISCSI"`},
		{"NVMe-TCP is a transport, not a spelling of NVMe-oF", map[string]any{"storage_protocol": "NVMe-TCP"},
			map[string]string{"storage_protocol": "nvmeof"}, false, `pool has "NVMe-TCP"`},
		{"nvme is not one of Cinder's spellings", map[string]any{"storage_protocol": "nvme"},
			map[string]string{"storage_protocol": "nvmeof"}, false, `pool has "nvme"`},
		{"a nested storage_protocol has no spellings", map[string]any{"net": map[string]any{"storage_protocol": "iSCSI"}},
			map[string]string{"capabilities:net:storage_protocol": "iscsi"}, false, `pool has "iSCSI"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, reason := CapabilitiesFilter{}.Filter(capsPool(tt.caps), &Request{SizeGiB: 1, ExtraSpecs: tt.specs})
			if ok != tt.pass {
				t.Fatalf("pass = %v (reason %q), want %v", ok, reason, tt.pass)
			}
			if !strings.Contains(reason, tt.reason) {
				t.Fatalf("reason %q does not contain %q", reason, tt.reason)
			}
			if ok && reason != "" {
				t.Fatalf("a passing pool has reason %q", reason)
			}
		})
	}
}

func TestCapabilitiesFilterExtend(t *testing.T) {
	offline := func(p *PoolState) { p.Stats.OnlineExtendSupport = false }
	tests := []struct {
		name   string
		pool   *PoolState
		req    Request
		pass   bool
		reason string
	}{
		{"an extend on a pool without online extend fails, as the volume may be attached",
			capsPool(nil, offline), Request{SizeGiB: 20, OldSizeGiB: 10}, false, "online_extend_support is false"},
		{"an extend on a pool with online extend passes",
			capsPool(nil), Request{SizeGiB: 20, OldSizeGiB: 10}, true, ""},
		{"a create on a pool without online extend passes",
			capsPool(nil, offline), Request{SizeGiB: 20}, true, ""},
		{"only the bool false counts, not the string false",
			capsPool(map[string]any{"online_extend_support": "false"}, offline), Request{SizeGiB: 20, OldSizeGiB: 10}, true, ""},
		{"an extend still checks the type's extra specs",
			capsPool(nil), Request{SizeGiB: 20, OldSizeGiB: 10, ExtraSpecs: map[string]string{"disk": "ssd"}}, false, "does not report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, reason := CapabilitiesFilter{}.Filter(tt.pool, &tt.req)
			if ok != tt.pass || !strings.Contains(reason, tt.reason) {
				t.Fatalf("Filter = %v, %q; want %v, reason containing %q", ok, reason, tt.pass, tt.reason)
			}
		})
	}
}

// TestCapabilitiesFilterReasonIsStable checks that with several failing
// keys the reason always names the same one, whatever the map order.
func TestCapabilitiesFilterReasonIsStable(t *testing.T) {
	specs := map[string]string{}
	for i := 0; i < 20; i++ {
		specs[fmt.Sprintf("k%02d", i)] = "x"
	}
	p := capsPool(nil)
	for i := 0; i < 50; i++ {
		_, reason := CapabilitiesFilter{}.Filter(p, &Request{SizeGiB: 1, ExtraSpecs: specs})
		if !strings.HasPrefix(reason, "k00: ") {
			t.Fatalf("reason %q does not name the first key k00", reason)
		}
	}
}

// TestCapabilitiesFilterCostsNothingWithoutSpecs checks the fast paths:
// no extra specs builds no capabilities, and matching allocates nothing.
func TestCapabilitiesFilterCostsNothingWithoutSpecs(t *testing.T) {
	p := capsPool(nil)
	if ok, _ := (CapabilitiesFilter{}).Filter(p, &Request{SizeGiB: 1}); !ok || p.caps != nil {
		t.Fatalf("a request without extra specs built the capabilities or failed")
	}
	req := &Request{SizeGiB: 1, ExtraSpecs: map[string]string{
		"storage_protocol": "iscsi", "capabilities:disk": "<or> hdd <or> ssd", "tier": ">= 2", "provisioning:type": "thin"}}
	p = capsPool(map[string]any{"disk": "ssd", "tier": int64(3)})
	allocs := testing.AllocsPerRun(200, func() {
		if ok, reason := (CapabilitiesFilter{}).Filter(p, req); !ok {
			t.Fatal(reason)
		}
	})
	if allocs != 0 {
		t.Fatalf("a passing pool costs %v allocations, want 0", allocs)
	}
}

// TestFiltersAreSafeAcrossCPUs runs the capabilities and JSON filters on
// enough pools that the scheduler splits them across goroutines (run
// with -race), with fresh requirement strings and queries each round so
// the shared caches are written concurrently.
func TestFiltersAreSafeAcrossCPUs(t *testing.T) {
	s := &Scheduler{Filters: []Filter{CapabilitiesFilter{}, JsonFilter{}}, Weighers: []Weigher{CapacityWeigher{Mult: 1}}}
	pools := make([]*PoolState, 600)
	for i := range pools {
		pools[i] = capsPool(map[string]any{"tier": int64(i % 10)}, func(p *PoolState) { p.Name = fmt.Sprintf("b%d#p", i) })
	}
	for round := 0; round < 5; round++ {
		req := Request{SizeGiB: 1,
			ExtraSpecs: map[string]string{"tier": fmt.Sprintf(">= %d", 9-round), "storage_protocol": "iscsi"},
			Hints:      Hints{Query: fmt.Sprintf(`["<=", "$capabilities.tier", %d]`, 9-round)}}
		chosen, exp, err := s.Place(pools, req)
		if err != nil || len(exp.Rejected) != 540 {
			t.Fatalf("round %d: chose %v, %d rejected, err %v", round, chosen, len(exp.Rejected), err)
		}
	}
}

func BenchmarkCapabilitiesFilter(b *testing.B) {
	p := capsPool(map[string]any{"disk": "ssd", "tier": int64(3), "net": map[string]any{"speed": int64(100)}})
	cases := []struct {
		name  string
		specs map[string]string
	}{
		{"no extra specs", nil},
		{"four passing specs", map[string]string{
			"storage_protocol": "iscsi", "capabilities:disk": "<or> hdd <or> ssd", "tier": ">= 2", "provisioning:type": "thin"}},
		{"nested and list specs", map[string]string{
			"capabilities:net:speed": ">= 40", "thin_provisioning_support": "<is> True"}},
		{"one failing spec", map[string]string{"capabilities:disk": "hdd", "tier": ">= 2"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			req := &Request{SizeGiB: 10, ExtraSpecs: c.specs}
			b.ReportAllocs()
			for b.Loop() {
				CapabilitiesFilter{}.Filter(p, req)
			}
		})
	}
}

// BenchmarkDefaultPipeline places one request (per op) over 1,000 pools
// with the AvailabilityZone, Capacity and Capabilities filters and the
// Capacity weigher; 10,000 requests take 10,000 × ns/op. With specs, half
// the pools are rejected with a reason.
func BenchmarkDefaultPipeline(b *testing.B) {
	for _, withSpecs := range []bool{false, true} {
		b.Run(fmt.Sprintf("extra specs %v", withSpecs), func(b *testing.B) {
			s := &Scheduler{
				Filters:  []Filter{AvailabilityZoneFilter{}, CapacityFilter{}, CapabilitiesFilter{}},
				Weighers: []Weigher{CapacityWeigher{Mult: 1}},
			}
			pools := make([]*PoolState, 1000)
			for i := range pools {
				disk := "hdd"
				if i%2 == 0 {
					disk = "ssd"
				}
				pools[i] = capsPool(map[string]any{"disk": disk}, func(p *PoolState) {
					p.Name = fmt.Sprintf("b%d#p", i)
					p.Stats.TotalCapacityGB = drivers.GiB(1e9)
					p.Stats.FreeCapacityGB = drivers.GiB(1e9)
				})
			}
			var specs map[string]string
			if withSpecs {
				specs = map[string]string{"capabilities:disk": "ssd", "storage_protocol": "iscsi"}
			}
			b.ReportAllocs()
			for b.Loop() {
				chosen, _, err := s.Place(pools, Request{Address: "v", SizeGiB: 1, ExtraSpecs: specs})
				if err != nil {
					b.Fatal(err)
				}
				chosen.Consume(1, "")
			}
		})
	}
}
