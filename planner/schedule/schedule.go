package schedule

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/slab-storage/slab/drivers"
)

// PoolState is one candidate pool as the scheduler sees it: its last stats
// plus what earlier placements in the same plan consumed.
type PoolState struct {
	Name             string // "backend#pool"
	Backend          string
	AvailabilityZone string
	Stats            drivers.PoolStats
}

// Consume charges a placed volume to the pool, as Cinder's
// consume_from_volume does, so the next request in the plan sees it.
func (p *PoolState) Consume(sizeGiB int) {
	size := float64(sizeGiB)
	p.Stats.AllocatedCapacityGB += size
	p.Stats.ProvisionedCapacityGB += size
	if p.Stats.FreeCapacityGB.Finite() {
		p.Stats.FreeCapacityGB.GiB -= size
	}
	p.Stats.TotalVolumes++
}

// Request is one volume to place.
type Request struct {
	Address          string            `json:"address"`
	SizeGiB          int               `json:"size"`
	AvailabilityZone string            `json:"availability_zone,omitempty"`
	ExtraSpecs       map[string]string `json:"extra_specs,omitempty"`
}

// Thick reports whether the request's type asks for thick provisioning.
func (r *Request) Thick() bool { return r.ExtraSpecs["provisioning:type"] == "thick" }

// Filter is one feasibility check. A pool that fails gets the reason.
type Filter interface {
	Name() string
	Filter(pool *PoolState, req *Request) (ok bool, reason string)
}

// Weigher scores one pool; the scheduler normalises scores across pools.
type Weigher interface {
	Name() string
	Multiplier() float64
	Weigh(pool *PoolState, req *Request) (float64, error)
}

// Scheduler is a filter/weigh pipeline.
type Scheduler struct {
	Filters  []Filter
	Weighers []Weigher
}

// Default returns Cinder's defaults available so far: AvailabilityZone and
// Capacity filters, Capacity weigher.
func Default() *Scheduler {
	return &Scheduler{
		Filters:  []Filter{AvailabilityZoneFilter{}, CapacityFilter{}},
		Weighers: []Weigher{CapacityWeigher{Mult: 1}},
	}
}

// Rejection is why one pool was filtered out.
type Rejection struct {
	Pool   string `json:"pool"`
	Filter string `json:"filter"`
	Reason string `json:"reason"`
}

// Score is one weigher's verdict on one pool.
type Score struct {
	Weigher    string  `json:"weigher"`
	Raw        float64 `json:"raw"`
	Normalized float64 `json:"normalized"`
	Multiplier float64 `json:"multiplier"`
}

// Weighed is one surviving pool and its scores.
type Weighed struct {
	Pool   string  `json:"pool"`
	Total  float64 `json:"total"`
	Scores []Score `json:"scores"`
}

// Explanation is everything the scheduler decided for one request.
type Explanation struct {
	Request  Request     `json:"request"`
	Chosen   string      `json:"chosen,omitempty"`
	Rejected []Rejection `json:"rejected,omitempty"`
	Weighed  []Weighed   `json:"weighed,omitempty"`
}

// NoValidPoolError says why nothing fit, pool by pool.
type NoValidPoolError struct{ Explanation Explanation }

func (e *NoValidPoolError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "no valid pool for %s (%d GiB)", e.Explanation.Request.Address, e.Explanation.Request.SizeGiB)
	if len(e.Explanation.Rejected) == 0 {
		b.WriteString(": no pools are declared")
	}
	for _, r := range e.Explanation.Rejected {
		fmt.Fprintf(&b, "\n  %s: %s filter: %s", r.Pool, r.Filter, r.Reason)
	}
	return b.String()
}

// Check runs every filter on one pool and returns the first rejection, or
// nil when the pool passes (used to decide whether a retype can stay put).
func (s *Scheduler) Check(pool *PoolState, req *Request) *Rejection {
	for _, f := range s.Filters {
		if ok, reason := f.Filter(pool, req); !ok {
			return &Rejection{Pool: pool.Name, Filter: f.Name(), Reason: reason}
		}
	}
	return nil
}

// Place picks the best pool for req. It does not consume capacity: the
// caller does, once the placement is final.
func (s *Scheduler) Place(pools []*PoolState, req Request) (*PoolState, Explanation, error) {
	exp := Explanation{Request: req}
	var survivors []*PoolState
	for _, p := range pools {
		if r := s.Check(p, &req); r != nil {
			exp.Rejected = append(exp.Rejected, *r)
			continue
		}
		survivors = append(survivors, p)
	}
	if len(survivors) == 0 {
		return nil, exp, &NoValidPoolError{Explanation: exp}
	}
	exp.Weighed = s.weigh(survivors, &req)
	sort.SliceStable(exp.Weighed, func(i, j int) bool {
		if exp.Weighed[i].Total != exp.Weighed[j].Total {
			return exp.Weighed[i].Total > exp.Weighed[j].Total
		}
		return exp.Weighed[i].Pool < exp.Weighed[j].Pool // deterministic tie-break
	})
	exp.Chosen = exp.Weighed[0].Pool
	for _, p := range survivors {
		if p.Name == exp.Chosen {
			return p, exp, nil
		}
	}
	panic("unreachable: chosen pool is a survivor")
}

// weigh normalises each weigher's raw scores to [0,1] by (w−min)/(max−min)
// (all equal → 0) and sums multiplier × normalised, as Cinder's
// OrderedHostWeightHandler does.
func (s *Scheduler) weigh(pools []*PoolState, req *Request) []Weighed {
	out := make([]Weighed, len(pools))
	for i, p := range pools {
		out[i].Pool = p.Name
	}
	for _, w := range s.Weighers {
		raw := make([]float64, len(pools))
		for i, p := range pools {
			v, err := w.Weigh(p, req)
			if err != nil {
				v = 0 // a weigher that cannot score a pool gives it nothing
			}
			raw[i] = v
		}
		replaceInfinite(raw)
		lo, hi := raw[0], raw[0]
		for _, v := range raw {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		for i, v := range raw {
			norm := 0.0
			if hi > lo {
				norm = (v - lo) / (hi - lo)
			}
			out[i].Scores = append(out[i].Scores, Score{Weigher: w.Name(), Raw: v, Normalized: norm, Multiplier: w.Multiplier()})
			out[i].Total += w.Multiplier() * norm
		}
	}
	return out
}

// replaceInfinite turns +Inf weights into max_finite + (max_finite −
// min)×100, or max_finite + 10000 when that offset is 0, as Cinder does.
func replaceInfinite(raw []float64) {
	first := true
	var lo, hi float64
	for _, v := range raw {
		if math.IsInf(v, 0) {
			continue
		}
		if first {
			lo, hi, first = v, v, false
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	offset := (hi - lo) * 100
	if offset == 0 {
		offset = 10000
	}
	for i, v := range raw {
		if math.IsInf(v, 1) {
			raw[i] = hi + offset
		}
	}
}
