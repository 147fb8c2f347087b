package schedule

import (
	"math"
	"testing"

	"github.com/slab-storage/slab/drivers"
)

// weigherPools are Cinder's weigher test fixtures in spirit: four pools
// whose allocated capacity and volume counts differ.
func weigherPools() []*PoolState {
	mk := func(name string, total, free, allocated float64, volumes int) *PoolState {
		return &PoolState{Name: name, Backend: name, AvailabilityZone: "az1", Stats: drivers.PoolStats{
			TotalCapacityGB: drivers.GiB(total), FreeCapacityGB: drivers.GiB(free), AllocatedCapacityGB: allocated,
			ProvisionedCapacityGB: allocated, TotalVolumes: volumes, ThinProvisioningSupport: true, MaxOverSubscriptionRatio: "1.0",
		}}
	}
	return []*PoolState{
		mk("host1#p", 1024, 1024, 0, 3),
		mk("host2#p", 2048, 300, 1748, 1),
		mk("host3#p", 512, 256, 256, 5),
		mk("host4#p", 2048, 200, 1848, 2),
	}
}

func TestWeighers(t *testing.T) {
	tests := []struct {
		name     string
		weighers map[string]float64
		want     string
	}{
		{"the capacity weigher prefers the most virtual free space", map[string]float64{"CapacityWeigher": 1}, "host1#p"},
		{"a negative capacity multiplier prefers the least", map[string]float64{"CapacityWeigher": -1}, "host4#p"},
		{"the allocated capacity weigher with Cinder's -1 prefers the emptiest", map[string]float64{"AllocatedCapacityWeigher": -1}, "host1#p"},
		{"a positive allocated multiplier stacks volumes", map[string]float64{"AllocatedCapacityWeigher": 1}, "host4#p"},
		{"the volume number weigher with Cinder's -1 prefers the fewest volumes", map[string]float64{"VolumeNumberWeigher": -1}, "host2#p"},
		{"weighers add up: fewest volumes outweighs free space at twice the multiplier",
			map[string]float64{"CapacityWeigher": 1, "VolumeNumberWeigher": -2}, "host2#p"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(Spec{Filters: []string{}, Weighers: tt.weighers})
			if err != nil {
				t.Fatal(err)
			}
			chosen, _, err := s.Place(weigherPools(), Request{Address: "volume.v", SizeGiB: 1})
			if err != nil || chosen.Name != tt.want {
				t.Fatalf("chose %v (err %v), want %s", chosen, err, tt.want)
			}
		})
	}
}

func TestNormalization(t *testing.T) {
	tests := []struct {
		name string
		raw  []float64
		want []float64
	}{
		{"scores are scaled to 0..1 by min and max", []float64{10, 20, 30}, []float64{0, 0.5, 1}},
		{"all-equal scores normalise to 0", []float64{7, 7, 7}, []float64{0, 0, 0}},
		{"negative scores normalise too", []float64{-10, 0, 10}, []float64{0, 0.5, 1}},
		{"a single pool scores 0", []float64{42}, []float64{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pools := make([]*PoolState, len(tt.raw))
			for i := range pools {
				pools[i] = &PoolState{Name: string(rune('a'+i)) + "#p", Stats: drivers.PoolStats{AllocatedCapacityGB: tt.raw[i]}}
			}
			s, _ := New(Spec{Filters: []string{}, Weighers: map[string]float64{"AllocatedCapacityWeigher": 1}})
			_, exp, err := s.Place(pools, Request{SizeGiB: 1})
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range exp.Weighed {
				if math.Abs(w.Scores[0].Normalized-tt.want[i]) > 1e-9 || w.Total != w.Scores[0].Normalized {
					t.Errorf("%s: normalized %v (total %v), want %v", w.Pool, w.Scores[0].Normalized, w.Total, tt.want[i])
				}
			}
		})
	}
}

func TestInfiniteCapacityWeighsAsCinderDoes(t *testing.T) {
	pools := weigherPools()
	pools[2].Stats.FreeCapacityGB = drivers.Capacity{Infinite: true}
	// With a positive multiplier an infinite pool is the worst (-1) ...
	_, exp, _ := Default().Place(pools, Request{SizeGiB: 1})
	for _, w := range exp.Weighed {
		if w.Pool == "host3#p" && w.Scores[0].Raw != -1 {
			t.Errorf("infinite pool raw weight %v with multiplier 1, want -1", w.Scores[0].Raw)
		}
	}
	// ... and with a negative one it is replaced by max + (max-min)*100.
	s, _ := New(Spec{Filters: []string{}, Weighers: map[string]float64{"CapacityWeigher": -1}})
	_, exp, _ = s.Place(pools, Request{SizeGiB: 1})
	var lo, hi, inf float64 = math.Inf(1), math.Inf(-1), 0
	for _, w := range exp.Weighed {
		if w.Pool == "host3#p" {
			inf = w.Scores[0].Raw
			continue
		}
		lo, hi = math.Min(lo, w.Scores[0].Raw), math.Max(hi, w.Scores[0].Raw)
	}
	if want := hi + (hi-lo)*100; inf != want {
		t.Errorf("infinite pool raw weight %v with multiplier -1, want %v", inf, want)
	}
}
