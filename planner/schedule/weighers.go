package schedule

// AllocatedCapacityWeigher is Cinder's AllocatedCapacityWeigher: the GiB
// already allocated on the pool. With Cinder's default multiplier of −1 the
// emptiest pool wins, spreading volumes.
type AllocatedCapacityWeigher struct{ Mult float64 }

func (AllocatedCapacityWeigher) Name() string          { return "AllocatedCapacityWeigher" }
func (w AllocatedCapacityWeigher) Multiplier() float64 { return w.Mult }

func (AllocatedCapacityWeigher) Weigh(p *PoolState, _ *Request) (float64, error) {
	return p.Stats.AllocatedCapacityGB, nil
}

// VolumeNumberWeigher is Cinder's VolumeNumberWeigher: how many volumes
// the pool holds. With the default multiplier of −1 the pool with the
// fewest volumes wins.
type VolumeNumberWeigher struct{ Mult float64 }

func (VolumeNumberWeigher) Name() string          { return "VolumeNumberWeigher" }
func (w VolumeNumberWeigher) Multiplier() float64 { return w.Mult }

func (VolumeNumberWeigher) Weigh(p *PoolState, _ *Request) (float64, error) {
	return float64(p.Stats.TotalVolumes), nil
}
