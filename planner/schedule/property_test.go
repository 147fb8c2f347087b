package schedule

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/slab-storage/slab/drivers"
)

// randomPools makes n pools with varied stats, some infinite or unknown.
func randomPools(r *rand.Rand, n int) []*PoolState {
	zones := []string{"az1", "az2", "az3"}
	disks := []string{"ssd", "hdd", "nvme"}
	pools := make([]*PoolState, n)
	for i := range pools {
		total := float64(r.IntN(5000) + 1)
		p := &PoolState{
			Name: fmt.Sprintf("b%d#p%d", i%7, i), Backend: fmt.Sprintf("b%d", i%7), AvailabilityZone: zones[r.IntN(len(zones))],
			Stats: drivers.PoolStats{
				TotalCapacityGB: drivers.GiB(total), FreeCapacityGB: drivers.GiB(float64(r.IntN(int(total) + 1))),
				ProvisionedCapacityGB: float64(r.IntN(20000)), AllocatedCapacityGB: float64(r.IntN(5000)),
				ReservedPercentage: r.IntN(30), MaxOverSubscriptionRatio: []string{"", "1", "1.5", "20", "auto", "0.5"}[r.IntN(6)],
				ThinProvisioningSupport: r.IntN(4) > 0, ThickProvisioningSupport: true, TotalVolumes: r.IntN(500),
				Capabilities: map[string]any{"disk": disks[r.IntN(len(disks))]},
			},
		}
		switch r.IntN(20) {
		case 0:
			p.Stats.FreeCapacityGB = drivers.Capacity{Infinite: true}
		case 1:
			p.Stats.TotalCapacityGB = drivers.Capacity{Unknown: true}
		}
		pools[i] = p
	}
	return pools
}

func TestPlacementsOnlyEverLandOnAPoolThatPassesEveryFilterAndWeighsMost(t *testing.T) {
	seed := uint64(20261121)
	r := rand.New(rand.NewPCG(seed, seed))
	spec := Spec{
		Filters:  append(append([]string(nil), DefaultFilters...), "DifferentBackendFilter"),
		Weighers: map[string]float64{"CapacityWeigher": 1, "AllocatedCapacityWeigher": -1, "VolumeNumberWeigher": -0.5},
	}
	s, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	for round := range 300 {
		pools := randomPools(r, 2+r.IntN(30))
		for i := range 20 {
			req := Request{Address: fmt.Sprintf("volume.v%d", i), SizeGiB: 1 + r.IntN(800),
				AvailabilityZone: []string{"", "az1", "az2"}[r.IntN(3)]}
			if r.IntN(3) == 0 {
				req.ExtraSpecs = map[string]string{"provisioning:type": "thick"}
			}
			chosen, exp, err := s.Place(pools, req)
			if err != nil {
				if len(exp.Weighed) != 0 || len(exp.Rejected) != len(pools) {
					t.Fatalf("round %d: no pool, but %d weighed and %d of %d rejected", round, len(exp.Weighed), len(exp.Rejected), len(pools))
				}
				continue
			}
			if rej := s.Check(chosen, &req); rej != nil {
				t.Fatalf("round %d: chose %s, which fails %s: %s", round, chosen.Name, rej.Filter, rej.Reason)
			}
			best := exp.Weighed[0]
			for _, w := range exp.Weighed {
				if w.Total > best.Total || (w.Total == best.Total && w.Pool < best.Pool) {
					best = w
				}
			}
			if best.Pool != chosen.Name {
				t.Fatalf("round %d: chose %s, but %s weighs %v (seed %d)", round, chosen.Name, best.Pool, best.Total, seed)
			}
			if len(exp.Weighed)+len(exp.Rejected) != len(pools) {
				t.Fatalf("round %d: %d pools explained of %d", round, len(exp.Weighed)+len(exp.Rejected), len(pools))
			}
			for _, rej := range exp.Rejected {
				if rej.Reason == "" && rej.Filter != "DifferentBackendFilter" {
					t.Fatalf("round %d: %s rejected by %s without a reason", round, rej.Pool, rej.Filter)
				}
			}
			chosen.Consume(req.SizeGiB, req.Address)
		}
	}
}

// BenchmarkPlace10kVolumesOver1kPools places 10,000 volumes, one after the
// other, over 1,000 pools with the default filters and weighers, each
// placement consuming capacity before the next (one op = all 10,000).
func BenchmarkPlace10kVolumesOver1kPools(b *testing.B) {
	benchPlace(b, 1000, 10000)
}

// BenchmarkPlaceScaling shows how placement grows with pools × volumes.
func BenchmarkPlaceScaling(b *testing.B) {
	for _, size := range [][2]int{{100, 10000}, {1000, 1000}, {1000, 5000}, {2000, 10000}} {
		b.Run(fmt.Sprintf("pools=%d/volumes=%d", size[0], size[1]), func(b *testing.B) {
			benchPlace(b, size[0], size[1])
		})
	}
}

func benchPlace(b *testing.B, pools, volumes int) {
	r := rand.New(rand.NewPCG(1, 2))
	base := randomPools(r, pools)
	for _, p := range base {
		p.AvailabilityZone = "az1"
		p.Stats.TotalCapacityGB, p.Stats.FreeCapacityGB = drivers.GiB(100000), drivers.GiB(100000)
		p.Stats.MaxOverSubscriptionRatio = "20"
	}
	s := Default()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		work := make([]*PoolState, len(base))
		for i, p := range base {
			work[i] = &PoolState{Name: p.Name, Backend: p.Backend, AvailabilityZone: p.AvailabilityZone, Stats: p.Stats}
		}
		b.StartTimer()
		for i := range volumes {
			req := Request{Address: "volume.v", SizeGiB: 1 + i%100, AvailabilityZone: "az1",
				ExtraSpecs: map[string]string{"capabilities:disk": "ssd"}}
			chosen, _, err := s.Place(work, req)
			if err != nil {
				b.Fatal(err)
			}
			chosen.Consume(req.SizeGiB, "")
		}
	}
}
