package schedule

import (
	"strings"
	"testing"

	"github.com/slab-storage/slab/drivers"
)

// fnPool is a pool reporting the given custom capabilities (the way a
// Cinder driver reports filter_function and friends).
func fnPool(caps map[string]any, mutate ...func(*PoolState)) *PoolState {
	return pool("b#p", 100, 50, 0, append([]func(*PoolState){func(p *PoolState) { p.Stats.Capabilities = caps }}, mutate...)...)
}

func withProtocol(proto string) func(*PoolState) {
	return func(p *PoolState) { p.Stats.StorageProtocol = proto }
}

func TestDriverFilter(t *testing.T) {
	tests := []struct {
		name   string
		pool   *PoolState
		req    Request
		pass   bool
		reason string
	}{
		// Cinder's DriverFilterTestCase.
		{"a true function passes", fnPool(map[string]any{"filter_function": "1 == 1"}), Request{}, true, ""},
		{"a false function fails", fnPool(map[string]any{"filter_function": "1 == 2"}), Request{}, false, `"1 == 2" is False`},
		{"a None function passes", fnPool(map[string]any{"filter_function": nil}), Request{}, true, ""},
		{"a pool without a function passes", fnPool(nil), Request{}, true, ""},
		{"extra specs are read", fnPool(map[string]any{"filter_function": "extra.var == 1"}), Request{ExtraSpecs: map[string]string{"var": "1"}}, true, ""},
		{"stats are read", fnPool(map[string]any{"filter_function": "stats.total_capacity_gb < 200"}), Request{}, true, ""},
		{"volume properties are read", fnPool(map[string]any{"filter_function": "volume.size < 5"}), Request{SizeGiB: 1}, true, ""},
		{"QoS specs are read", fnPool(map[string]any{"filter_function": "qos.var == 1"}), Request{QoSSpecs: map[string]string{"var": "1"}}, true, ""},
		{"an exception fails the pool", fnPool(map[string]any{"filter_function": "1 / 0 == 0"}), Request{}, false, "division by zero"},
		{"a missing QoS spec fails the pool", fnPool(map[string]any{"filter_function": "qos.maxiops == 1"}), Request{}, false, "unknown variable qos.maxiops"},
		{"capabilities are read", fnPool(map[string]any{"foo": 10, "filter_function": "capabilities.foo == 10"}), Request{}, true, ""},
		{"a missing capability fails the pool", fnPool(map[string]any{"bar": 10, "filter_function": "capabilities.foo == 10"}), Request{}, false, "capabilities.foo"},
		// Truthiness, as Python's any() applies it.
		{"a non-zero number passes", fnPool(map[string]any{"filter_function": "5"}), Request{}, true, ""},
		{"zero fails", fnPool(map[string]any{"filter_function": "0"}), Request{}, false, "is 0"},
		{"a non-empty string passes", fnPool(map[string]any{"filter_function": "'x'"}), Request{}, true, ""},
		{"an empty string result fails", fnPool(map[string]any{"filter_function": "''"}), Request{}, false, "is ''"},
		{"a number as the function is converted with str()", fnPool(map[string]any{"filter_function": 5.0}), Request{}, true, ""},
		// Where the function comes from.
		{"the stats field is the function", fnPool(nil, func(p *PoolState) { p.Stats.FilterFunction = "volume.size > 10" }), Request{SizeGiB: 5}, false, "is False"},
		{"the stats field wins over a capability", fnPool(map[string]any{"filter_function": "0"}, func(p *PoolState) { p.Stats.FilterFunction = "1" }), Request{}, true, ""},
		{"an explicitly empty function does not parse, as in Cinder", fnPool(map[string]any{"filter_function": ""}), Request{}, false, "does not parse"},
		{"a syntax error fails the pool and says where", fnPool(map[string]any{"filter_function": "2^-3"}), Request{}, false, "does not parse: syntax error at offset 1"},
		// The variables Cinder builds.
		{"an extend sees the old size", fnPool(map[string]any{"filter_function": "volume.size == 4"}), Request{SizeGiB: 10, OldSizeGiB: 4}, true, ""},
		{"stats have no provisioned capacity", fnPool(map[string]any{"filter_function": "stats.provisioned_capacity_gb >= 0"}), Request{}, false, "unknown variable stats.provisioned_capacity_gb"},
		{"capabilities have provisioned capacity", fnPool(map[string]any{"filter_function": "capabilities.provisioned_capacity_gb >= 0"}), Request{}, true, ""},
		{"a fractional capacity is truncated by int()", fnPool(map[string]any{"filter_function": "stats.free_capacity_gb == 199"}, func(p *PoolState) { p.Stats.FreeCapacityGB = drivers.GiB(199.9) }), Request{}, true, ""},
		{"infinite capacity is the string infinite", fnPool(map[string]any{"filter_function": "stats.free_capacity_gb == 'infinite'"}, func(p *PoolState) { p.Stats.FreeCapacityGB = drivers.Capacity{Infinite: true} }), Request{}, true, ""},
		{"infinite capacity cannot be ordered against a number", fnPool(map[string]any{"filter_function": "stats.free_capacity_gb > 5"}, func(p *PoolState) { p.Stats.FreeCapacityGB = drivers.Capacity{Infinite: true} }), Request{}, false, "not supported between instances of 'str' and 'int'"},
		{"the driver filter's stats name the backend", fnPool(map[string]any{"filter_function": "stats.backend_id == 'b#p'"}), Request{}, true, ""},
		{"an unreported vendor cannot be read", fnPool(map[string]any{"filter_function": "stats.vendor_name"}), Request{}, false, "NoneType"},
		// storage_protocol variants.
		{"a pool reporting iscsi passes a function asking for iSCSI", fnPool(map[string]any{"filter_function": "stats.storage_protocol == 'iSCSI'"}, withProtocol("iscsi")), Request{}, true, ""},
		{"capabilities see the variant too", fnPool(map[string]any{"filter_function": "capabilities.storage_protocol == fibre_channel"}, withProtocol("FC")), Request{}, true, ""},
		{"a pool reporting ISCSI has no variants", fnPool(map[string]any{"filter_function": "stats.storage_protocol == 'iSCSI'"}, withProtocol("ISCSI")), Request{}, false, "is False"},
		{"every failing variant is explained", fnPool(map[string]any{"filter_function": "stats.storage_protocol == 'FC'"}, withProtocol("nfs")), Request{}, false, "is False with storage_protocol NFS; is False with storage_protocol nfs"},
		{"a function not naming the protocol runs once", fnPool(map[string]any{"filter_function": "0"}, withProtocol("iSCSI")), Request{}, false, `"0" is 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, reason := DriverFilter{}.Filter(tt.pool, &tt.req)
			if ok != tt.pass {
				t.Fatalf("pass = %v (reason %q), want %v", ok, reason, tt.pass)
			}
			if !strings.Contains(reason, tt.reason) {
				t.Errorf("reason %q does not mention %q", reason, tt.reason)
			}
		})
	}
}

func TestDriverFilterIsConfigurableByName(t *testing.T) {
	s, err := New(Spec{Filters: []string{"DriverFilter"}, Weighers: map[string]float64{}})
	if err != nil {
		t.Fatal(err)
	}
	pools := []*PoolState{
		fnPool(map[string]any{"filter_function": "volume.size <= 10"}, func(p *PoolState) { p.Name = "small#p" }),
		fnPool(map[string]any{"filter_function": "volume.size > 10"}, func(p *PoolState) { p.Name = "big#p" }),
	}
	chosen, exp, err := s.Place(pools, Request{Address: "volume.x", SizeGiB: 50})
	if err != nil {
		t.Fatal(err)
	}
	if chosen.Name != "big#p" || len(exp.Rejected) != 1 || exp.Rejected[0].Filter != "DriverFilter" {
		t.Errorf("chose %s, rejected %+v; want big#p chosen and small#p rejected by DriverFilter", chosen.Name, exp.Rejected)
	}
}
