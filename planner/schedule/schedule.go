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
	// Volumes holds a reference (ID, or config address for a volume
	// placed earlier in the same plan) for every volume on the pool; the
	// SameBackend / DifferentBackend filters read it.
	Volumes []string

	caps map[string]any // cache of Capabilities(); reset when stats change
}

// Consume charges a placed volume to the pool, as Cinder's
// consume_from_volume does, so the next request in the plan sees it. ref
// names the volume for the backend-affinity hints.
func (p *PoolState) Consume(sizeGiB int, ref string) {
	size := float64(sizeGiB)
	p.caps = nil
	p.Stats.AllocatedCapacityGB += size
	p.Stats.ProvisionedCapacityGB += size
	if p.Stats.FreeCapacityGB.Finite() {
		p.Stats.FreeCapacityGB.GiB -= size
	}
	p.Stats.TotalVolumes++
	if ref != "" {
		p.Volumes = append(p.Volumes, ref)
	}
}

// Release undoes a Consume, for a create that failed on its pool and is
// rescheduled elsewhere (as Cinder reverts a failed attempt's capacity).
func (p *PoolState) Release(sizeGiB int, ref string) {
	size := float64(sizeGiB)
	p.caps = nil
	p.Stats.AllocatedCapacityGB -= size
	p.Stats.ProvisionedCapacityGB -= size
	if p.Stats.FreeCapacityGB.Finite() {
		p.Stats.FreeCapacityGB.GiB += size
	}
	p.Stats.TotalVolumes--
	for i, v := range p.Volumes {
		if v == ref {
			p.Volumes = append(p.Volumes[:i], p.Volumes[i+1:]...)
			break
		}
	}
}

// Request is one volume to place (or, with OldSizeGiB set, to extend).
type Request struct {
	Address string `json:"address"`
	SizeGiB int    `json:"size"`
	// OldSizeGiB is the current size when extending: capacity filters ask
	// for SizeGiB − OldSizeGiB, and expressions see volume.size as the old
	// size, as Cinder's do.
	OldSizeGiB       int               `json:"old_size,omitempty"`
	AvailabilityZone string            `json:"availability_zone,omitempty"`
	VolumeType       string            `json:"volume_type,omitempty"`
	ExtraSpecs       map[string]string `json:"extra_specs,omitempty"`
	// QoSSpecs are the type's QoS specs (the qos.* expression variables).
	QoSSpecs map[string]string `json:"qos_specs,omitempty"`
	// Metadata is the volume's metadata (volume.metadata in expressions).
	Metadata map[string]string `json:"metadata,omitempty"`
	Hints    Hints             `json:"hints,omitempty"`
}

// Hints are Cinder's scheduler hints, with slab's names.
type Hints struct {
	// DifferentBackend / SameBackend name volumes (by the references in
	// PoolState.Volumes) that must not / must share this volume's pool.
	DifferentBackend []string `json:"different_backend,omitempty"`
	SameBackend      []string `json:"same_backend,omitempty"`
	// Query is a JsonFilter query: a JSON prefix expression such as
	// ["and", [">=", "$free_capacity_gb", 500], ["=", "$storage_protocol", "iSCSI"]].
	Query any `json:"query,omitempty"`
}

// RequestedGiB is the capacity the request needs: the growth for an
// extend, the size otherwise.
func (r *Request) RequestedGiB() int {
	if r.OldSizeGiB > 0 {
		return r.SizeGiB - r.OldSizeGiB
	}
	return r.SizeGiB
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
		fmt.Fprintf(&b, "\n  %s: %s: %s", r.Pool, r.Filter, r.Reason)
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
