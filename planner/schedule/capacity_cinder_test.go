package schedule

import (
	"testing"

	"github.com/slab-storage/slab/drivers"
)

// cinderBackend mirrors the attributes Cinder's CapacityFilter tests set
// on a FakeBackendState. Cinder's BackendState starts with thin support
// off (so a ratio of 1), total 0 and no reserved space.
type cinderBackend struct {
	total, free  drivers.Capacity
	provisioned  float64
	ratio        string
	reserved     int
	thin, thick  bool
	availability string
}

func (c cinderBackend) pool() *PoolState {
	return &PoolState{Name: "host1#pool", Backend: "host1", AvailabilityZone: c.availability, Stats: drivers.PoolStats{
		TotalCapacityGB: c.total, FreeCapacityGB: c.free, ProvisionedCapacityGB: c.provisioned,
		MaxOverSubscriptionRatio: c.ratio, ReservedPercentage: c.reserved,
		ThinProvisioningSupport: c.thin, ThickProvisioningSupport: c.thick,
	}}
}

var (
	cinderGiB      = drivers.GiB
	cinderInfinite = drivers.Capacity{Infinite: true}
	cinderUnknown  = drivers.Capacity{Unknown: true}
)

// TestCapacityFilterCinderCases are the cases of Cinder's
// CapacityFilterTestCase (cinder/tests/unit/scheduler/test_host_filters.py),
// one for one, plus corners of sched_utils.calculate_capacity_factors.
// Cinder's cases whose request also carries
// capabilities:thin_provisioning_support specs keep them: the capacity
// filter ignores them, only provisioning:type counts.
func TestCapacityFilterCinderCases(t *testing.T) {
	thin := map[string]string{"capabilities:thin_provisioning_support": "<is> True", "capabilities:thick_provisioning_support": "<is> False"}
	notThin := map[string]string{"capabilities:thin_provisioning_support": "<is> False", "capabilities:thick_provisioning_support": "<is> True"}
	both := map[string]string{"capabilities:thin_provisioning_support": "<is> True", "capabilities:thick_provisioning_support": "<is> True"}
	tests := []struct {
		name    string
		backend cinderBackend
		size    int
		oldSize int
		specs   map[string]string
		pass    bool
	}{
		{"a thick backend with room passes", cinderBackend{total: cinderGiB(500), free: cinderGiB(200)}, 100, 0, nil, true},
		{"reserved space leaves too little free space", cinderBackend{total: cinderGiB(200), free: cinderGiB(120), reserved: 20}, 121, 0, nil, false},
		{"a zero-size request (manage) passes even an over-provisioned backend", cinderBackend{total: cinderGiB(500), free: cinderGiB(200), provisioned: 1500, ratio: "2.0", reserved: 5, thin: true}, 0, 0, nil, true},
		{"infinite free capacity passes", cinderBackend{free: cinderInfinite}, 100, 0, nil, true},
		{"an extend asks only for the growth", cinderBackend{total: cinderGiB(500), free: cinderGiB(200)}, 100, 50, nil, true},
		{"a create of 50 fails 49 free", cinderBackend{total: cinderGiB(500), free: cinderGiB(49)}, 50, 0, nil, false},
		{"unknown free capacity passes", cinderBackend{free: cinderUnknown}, 100, 0, nil, true},
		{"infinite total and free pass without reserved space", cinderBackend{total: cinderInfinite, free: cinderInfinite}, 100, 0, nil, true},
		{"unknown total and free pass without reserved space", cinderBackend{total: cinderUnknown, free: cinderUnknown}, 100, 0, nil, true},
		{"infinite total with reserved space fails", cinderBackend{total: cinderInfinite, free: cinderGiB(100), reserved: 5}, 100, 0, nil, false},
		{"unknown total with reserved space fails", cinderBackend{total: cinderUnknown, free: cinderGiB(100), reserved: 5}, 100, 0, nil, false},
		{"a zero total fails", cinderBackend{total: cinderGiB(0), free: cinderGiB(0), reserved: 5}, 100, 0, nil, false},
		{"thin with virtual room passes", cinderBackend{total: cinderGiB(500), free: cinderGiB(200), provisioned: 500, ratio: "2.0", reserved: 5, thin: true}, 100, 0, thin, true},
		{"thin with a big ratio passes a big volume", cinderBackend{total: cinderGiB(500), free: cinderGiB(200), provisioned: 7000, ratio: "20", reserved: 5, thin: true}, 2400, 0, thin, true},
		{"without thin support the ratio is ignored", cinderBackend{total: cinderGiB(500), free: cinderGiB(200), provisioned: 300, ratio: "1.0", reserved: 5, thick: true}, 100, 0, notThin, true},
		{"a ratio below 1 fails thin", cinderBackend{total: cinderGiB(500), free: cinderGiB(100), provisioned: 400, ratio: "0.8", thin: true}, 200, 0, thin, false},
		{"a ratio of 1 leaves too little virtual room", cinderBackend{total: cinderGiB(500), free: cinderGiB(200), provisioned: 400, ratio: "1.0", thin: true}, 150, 0, thin, false},
		{"over-subscription beyond the ratio fails", cinderBackend{total: cinderGiB(500), free: cinderGiB(200), provisioned: 700, ratio: "1.5", reserved: 5, thin: true}, 100, 0, thin, false},
		{"a big request beyond the virtual room fails", cinderBackend{total: cinderGiB(500), free: cinderGiB(30), provisioned: 9000, ratio: "20", thin: true}, 2000, 0, thin, false},
		{"reserved space on thin leaves negative virtual room", cinderBackend{total: cinderGiB(500), free: cinderGiB(100), provisioned: 1000, ratio: "2.0", reserved: 5, thin: true}, 100, 0, thin, false},
		{"reserved space on thick leaves too little", cinderBackend{total: cinderGiB(500), free: cinderGiB(100), provisioned: 400, ratio: "1.0", reserved: 5, thick: true}, 100, 0, notThin, false},
		{"thin and thick support, one GiB short", cinderBackend{total: cinderGiB(500), free: cinderGiB(0), provisioned: 800, ratio: "2.0", reserved: 5, thin: true, thick: true}, 151, 0, both, false},
		{"thin and thick support, virtual room left", cinderBackend{total: cinderGiB(500), free: cinderGiB(125), provisioned: 400, ratio: "2.0", reserved: 5, thin: true, thick: true}, 100, 0, both, true},
		{"thin ignores real free space below the request", cinderBackend{total: cinderGiB(500), free: cinderGiB(80), provisioned: 600, ratio: "2.0", reserved: 5, thin: true}, 100, 0, thin, true},
		{"thin and thick support, over-provisioned", cinderBackend{total: cinderGiB(500), free: cinderGiB(99), provisioned: 1000, ratio: "2.0", reserved: 5, thin: true, thick: true}, 100, 0, both, false},
		{"thin and thick support without reserved space", cinderBackend{total: cinderGiB(500), free: cinderGiB(100), provisioned: 400, ratio: "2.0", thin: true, thick: true}, 100, 0, both, true},
		{"provisioning:type thick fits exactly in free space", cinderBackend{total: cinderGiB(500), free: cinderGiB(100), provisioned: 400, ratio: "2.0", thin: true, thick: true}, 100, 0, map[string]string{"provisioning:type": "thick"}, true},
		{"provisioning:type thin passes", cinderBackend{total: cinderGiB(500), free: cinderGiB(100), provisioned: 400, ratio: "2.0", thin: true, thick: true}, 100, 0, map[string]string{"provisioning:type": "thin"}, true},
		{"a type without extra specs passes", cinderBackend{total: cinderGiB(500), free: cinderGiB(100), provisioned: 400, ratio: "2.0", thin: true, thick: true}, 100, 0, map[string]string{}, true},
		{"no type at all passes", cinderBackend{total: cinderGiB(500), free: cinderGiB(100), provisioned: 400, ratio: "2.0", thin: true, thick: true}, 100, 0, nil, true},

		// sched_utils corners.
		{"reserved is floor(total × (pct / 100)) in floating point, so 29% of 100 reserves 28", cinderBackend{total: cinderGiB(100), free: cinderGiB(100), reserved: 29}, 72, 0, nil, true},
		{"29% of 100 still leaves no room for 73", cinderBackend{total: cinderGiB(100), free: cinderGiB(100), reserved: 29}, 73, 0, nil, false},
		{"virtual free space is rounded to 2 places as Python's round does", cinderBackend{total: cinderGiB(200), free: cinderGiB(99.995)}, 100, 0, nil, true},
		{"10.995 free rounds down to 10.99 (its binary value is below the tie), short of 11", cinderBackend{total: cinderGiB(100), free: cinderGiB(10.995)}, 11, 0, nil, false},
		{"auto ratio with nothing provisioned is 20", cinderBackend{total: cinderGiB(100), free: cinderGiB(100), ratio: "auto", thin: true}, 2000, 0, nil, true},
		{"auto ratio is 1 + provisioned / (used + 1), here 3, leaving 198", cinderBackend{total: cinderGiB(100), free: cinderGiB(50), provisioned: 102, ratio: "auto", thin: true}, 198, 0, nil, true},
		{"auto ratio 3 leaves no room for 199", cinderBackend{total: cinderGiB(100), free: cinderGiB(50), provisioned: 102, ratio: "auto", thin: true}, 199, 0, nil, false},
		{"a ratio of 0 means the default 20", cinderBackend{total: cinderGiB(100), free: cinderGiB(100), ratio: "0", thin: true}, 2000, 0, nil, true},
		{"an absent ratio means the default 20", cinderBackend{total: cinderGiB(100), free: cinderGiB(100), thin: true}, 2001, 0, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &Request{SizeGiB: tt.size, OldSizeGiB: tt.oldSize, ExtraSpecs: tt.specs}
			ok, reason := CapacityFilter{}.Filter(tt.backend.pool(), req)
			if ok != tt.pass {
				t.Fatalf("pass = %v (reason %q), want %v", ok, reason, tt.pass)
			}
			if !ok && reason == "" {
				t.Fatal("a rejection without a reason")
			}
		})
	}
}

// TestRound2MatchesPython checks rounding to 2 places on the exact binary
// value with ties to even, as Python's round(x, 2) does.
func TestRound2MatchesPython(t *testing.T) {
	for in, want := range map[float64]float64{0.125: 0.12, 2.675: 2.67, 1.005: 1, 99.995: 100, -2.675: -2.67, 0.375: 0.38, 1234.5678: 1234.57, 1e20: 1e20} {
		if got := round2(in); got != want {
			t.Errorf("round2(%v) = %v, want %v", in, got, want)
		}
	}
}

// TestAvailabilityZoneFilterCinderCases are Cinder's zone filter cases.
func TestAvailabilityZoneFilterCinderCases(t *testing.T) {
	nova := func(az string) *PoolState {
		return cinderBackend{total: cinderGiB(1), free: cinderGiB(1), availability: az}.pool()
	}
	zones := map[string]string{"RESKEY:availability_zones": "nova1,nova2"}
	tests := []struct {
		name string
		pool *PoolState
		req  Request
		pass bool
	}{
		{"the requested zone passes", nova("nova"), Request{AvailabilityZone: "nova"}, true},
		{"a type's first zone passes", nova("nova1"), Request{ExtraSpecs: zones}, true},
		{"a type's second zone passes", nova("nova2"), Request{ExtraSpecs: zones}, true},
		{"a zone outside the type's list fails", nova("nova3"), Request{ExtraSpecs: zones}, false},
		{"another zone than requested fails", nova("nova"), Request{AvailabilityZone: "bad"}, false},
		{"no zone asked passes", nova("nova"), Request{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ok, reason := (AvailabilityZoneFilter{}).Filter(tt.pool, &tt.req); ok != tt.pass {
				t.Fatalf("pass = %v (reason %q), want %v", ok, reason, tt.pass)
			}
		})
	}
}
