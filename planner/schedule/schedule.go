package schedule

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

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

	caps    map[string]any      // cache of Capabilities(); reset when stats change
	factors [2]*CapacityFactors // cache of Factors(thin), Factors(thick); same
	// specVerdicts caches CapabilitiesFilter's verdict per set of extra
	// specs (Request.specs); same. A plan has few types, so a short
	// list beats hashing the key for every request × pool.
	specVerdicts []specVerdict
	// lastRejection is the pool's last rejection, shared by every
	// explanation that repeats it: a plan rejects most pools for the same
	// reason request after request, and sharing keeps explanations small.
	lastRejection *Rejection
}

type specVerdict struct {
	specs  specsID
	ok     bool
	reason string
}

// specsID names one canonical set of extra specs for the whole process, so
// the per-pool caches compare integers rather than long keys: a plan asks
// every pool about the same few sets thousands of times.
type specsID uint32

var specsIDs = struct {
	sync.Mutex
	byKey map[string]specsID
}{byKey: map[string]specsID{}}

func internSpecs(key string) specsID {
	specsIDs.Lock()
	defer specsIDs.Unlock()
	id, ok := specsIDs.byKey[key]
	if !ok {
		id = specsID(len(specsIDs.byKey) + 1)
		specsIDs.byKey[key] = id
	}
	return id
}

// maxSpecVerdicts bounds the cache; beyond it the oldest verdict goes.
const maxSpecVerdicts = 8

func (p *PoolState) specVerdict(id specsID) (specVerdict, bool) {
	for _, v := range p.specVerdicts {
		if v.specs == id {
			return v, true
		}
	}
	return specVerdict{}, false
}

func (p *PoolState) rememberSpecVerdict(v specVerdict) {
	if len(p.specVerdicts) == maxSpecVerdicts {
		p.specVerdicts = p.specVerdicts[1:]
	}
	p.specVerdicts = append(p.specVerdicts, v)
}

// shared returns r as the pool's last rejection when it is the same, else
// records it as such.
func (p *PoolState) shared(r Rejection) *Rejection {
	if last := p.lastRejection; last != nil && *last == r {
		return last
	}
	fresh := new(Rejection)
	*fresh = r
	p.lastRejection = fresh
	return fresh
}

// Factors are the pool's capacity factors for a thin or thick request,
// computed once until its stats change.
func (p *PoolState) Factors(thick bool) CapacityFactors {
	i := 0
	if thick {
		i = 1
	}
	if p.factors[i] == nil {
		f := Factors(p.Stats, thick)
		p.factors[i] = &f
	}
	return *p.factors[i]
}

// statsChanged drops everything computed from the stats.
func (p *PoolState) statsChanged() {
	p.caps = nil
	p.factors = [2]*CapacityFactors{}
	p.specVerdicts = nil
}

// Consume charges a placed volume to the pool, as Cinder's
// consume_from_volume does, so the next request in the plan sees it. ref
// names the volume for the backend-affinity hints.
func (p *PoolState) Consume(sizeGiB int, ref string) {
	size := float64(sizeGiB)
	p.statsChanged()
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
	p.statsChanged()
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

	// prepared caches what the many filter and weigher calls of one
	// placement derive from the request (see prepare).
	prepared bool
	thick    bool
	zones    []string // RESKEY:availability_zones, split
	specs    specsID  // the extra specs, interned, for per-pool caches
}

// prepare computes the request's derived values once; after it the
// request is only read, so pools can be evaluated concurrently.
func (r *Request) prepare() {
	if r.prepared {
		return
	}
	r.prepared = true
	r.thick = r.ExtraSpecs["provisioning:type"] == "thick"
	if len(r.ExtraSpecs) > 0 {
		keys := make([]string, 0, len(r.ExtraSpecs))
		for k := range r.ExtraSpecs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for _, k := range keys {
			b.WriteString(k)
			b.WriteByte(0)
			b.WriteString(r.ExtraSpecs[k])
			b.WriteByte(0)
		}
		r.specs = internSpecs(b.String())
	}
	if zones := r.ExtraSpecs["RESKEY:availability_zones"]; zones != "" {
		for _, z := range strings.Split(zones, ",") {
			r.zones = append(r.zones, strings.TrimSpace(z))
		}
	}
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
func (r *Request) Thick() bool {
	r.prepare()
	return r.thick
}

// Zones is the type's RESKEY:availability_zones, or nil.
func (r *Request) Zones() []string {
	r.prepare()
	return r.zones
}

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
	// Reason says why a weigher could not rate the pool (it then counts 0).
	Reason string `json:"reason,omitempty"`
}

// Weighed is one surviving pool and its scores.
type Weighed struct {
	Pool   string  `json:"pool"`
	Total  float64 `json:"total"`
	Scores []Score `json:"scores"`
}

// Explanation is everything the scheduler decided for one request.
// Rejections may be shared between explanations: treat them as read-only.
type Explanation struct {
	Request  Request      `json:"request"`
	Chosen   string       `json:"chosen,omitempty"`
	Rejected []*Rejection `json:"rejected,omitempty"`
	Weighed  []Weighed    `json:"weighed,omitempty"`
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
	if r, rejected := s.check(pool, req); rejected {
		return &r
	}
	return nil
}

// check is Check without an allocation per rejected pool.
func (s *Scheduler) check(pool *PoolState, req *Request) (Rejection, bool) {
	for _, f := range s.Filters {
		if ok, reason := f.Filter(pool, req); !ok {
			return Rejection{Pool: pool.Name, Filter: f.Name(), Reason: reason}, true
		}
	}
	return Rejection{}, false
}

// Place picks the best pool for req. It does not consume capacity: the
// caller does, once the placement is final. Explanation.Weighed lists the
// survivors in pool order; Ranked sorts them.
func (s *Scheduler) Place(pools []*PoolState, req Request) (*PoolState, Explanation, error) {
	req.prepare()
	exp := Explanation{Request: req}
	ev := s.evaluate(pools, &req)
	defer ev.release()
	survivors := ev.survivors[:0] // indexes into pools
	if ev.rejections > 0 {
		exp.Rejected = make([]*Rejection, 0, ev.rejections)
	}
	for i := range pools {
		if ev.failed[i] {
			exp.Rejected = append(exp.Rejected, ev.rejected[i])
			continue
		}
		survivors = append(survivors, i)
	}
	if len(survivors) == 0 {
		return nil, exp, &NoValidPoolError{Explanation: exp}
	}
	exp.Weighed = s.normalize(pools, survivors, ev)
	best := 0
	for i, w := range exp.Weighed {
		if better(w, exp.Weighed[best]) {
			best = i
		}
	}
	exp.Chosen = exp.Weighed[best].Pool
	return pools[survivors[best]], exp, nil
}

// evaluation is every pool's filter verdict and raw weights.
type evaluation struct {
	failed     []bool
	rejected   []*Rejection // where failed
	rejections int
	raw        []float64 // len(pools) × len(weighers), pool-major
	// weighErrs keeps why a weigher could not rate a pool, by raw index;
	// rare, so a locked map rather than a slice per placement.
	mu        sync.Mutex
	weighErrs map[int]string
	survivors []int
	column    []float64 // one weigher's raw weights over the survivors
}

// evaluations recycles the per-placement scratch: a plan places many
// volumes over the same pools, and only the explanation outlives a call.
var evaluations = sync.Pool{New: func() any { return &evaluation{} }}

func newEvaluation(pools, weighers int) *evaluation {
	ev := evaluations.Get().(*evaluation)
	ev.failed = resize(ev.failed, pools)
	ev.rejected = resize(ev.rejected, pools)
	ev.raw = resize(ev.raw, pools*weighers)
	ev.survivors = resize(ev.survivors, pools)
	ev.column = resize(ev.column, pools)
	ev.rejections, ev.weighErrs = 0, nil
	return ev
}

func (ev *evaluation) release() {
	clear(ev.rejected) // drop the reason strings
	evaluations.Put(ev)
}

// resize returns a zeroed slice of length n, reusing s when it is large
// enough.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// parallelFrom is the pool count from which filtering and weighing are
// split across the CPUs; below it the goroutines cost more than they save.
const parallelFrom = 256

// evaluate runs the filters and the raw weighers on every pool. Each pool
// is touched by one goroutine only, and the request is prepared, so the
// per-pool caches need no lock.
func (s *Scheduler) evaluate(pools []*PoolState, req *Request) *evaluation {
	nw := len(s.Weighers)
	ev := newEvaluation(len(pools), nw)
	run := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if r, rejected := s.check(pools[i], req); rejected {
				ev.failed[i], ev.rejected[i] = true, pools[i].shared(r)
				continue
			}
			for j, w := range s.Weighers {
				v, err := w.Weigh(pools[i], req)
				if err != nil {
					v = 0 // a weigher that cannot score a pool gives it nothing
					ev.noteWeighErr(i*nw+j, err)
				}
				ev.raw[i*nw+j] = v
			}
		}
	}
	workers := runtime.GOMAXPROCS(0)
	if len(pools) < parallelFrom || workers < 2 {
		run(0, len(pools))
		return ev.counted()
	}
	var wg sync.WaitGroup
	chunk := (len(pools) + workers - 1) / workers
	for lo := 0; lo < len(pools); lo += chunk {
		hi := min(lo+chunk, len(pools))
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(lo, hi)
		}()
	}
	wg.Wait()
	return ev.counted()
}

func (ev *evaluation) noteWeighErr(at int, err error) {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if ev.weighErrs == nil {
		ev.weighErrs = map[int]string{}
	}
	ev.weighErrs[at] = err.Error()
}

func (ev *evaluation) counted() *evaluation {
	for _, f := range ev.failed {
		if f {
			ev.rejections++
		}
	}
	return ev
}

// normalize turns the survivors' raw weights into scores: per weigher
// (w−min)/(max−min) over the survivors (all equal → 0), summed with the
// multiplier, as Cinder's OrderedHostWeightHandler does. Scores share one
// backing array: a plan over many pools makes many of these.
func (s *Scheduler) normalize(pools []*PoolState, survivors []int, ev *evaluation) []Weighed {
	raw := ev.raw
	nw := len(s.Weighers)
	out := make([]Weighed, len(survivors))
	scores := make([]Score, len(survivors)*nw)
	col := ev.column[:len(survivors)]
	for i, pi := range survivors {
		out[i].Pool = pools[pi].Name
		out[i].Scores = scores[i*nw : i*nw : (i+1)*nw]
	}
	for j, w := range s.Weighers {
		for i, pi := range survivors {
			col[i] = raw[pi*nw+j]
		}
		replaceInfinite(col)
		lo, hi := col[0], col[0]
		for _, v := range col[1:] {
			lo, hi = min(lo, v), max(hi, v)
		}
		name, mult := w.Name(), w.Multiplier()
		for i, v := range col {
			norm := 0.0
			if hi > lo {
				norm = (v - lo) / (hi - lo)
			}
			out[i].Scores = append(out[i].Scores, Score{Weigher: name, Raw: v, Normalized: norm, Multiplier: mult,
				Reason: ev.weighErrs[survivors[i]*nw+j]})
			out[i].Total += mult * norm
		}
	}
	return out
}

// better orders weighed pools: higher total first, then pool name, so
// ties are broken the same way every time.
func better(a, b Weighed) bool {
	if a.Total != b.Total {
		return a.Total > b.Total
	}
	return a.Pool < b.Pool
}

// Ranked returns the survivors best first.
func (e *Explanation) Ranked() []Weighed {
	out := append([]Weighed(nil), e.Weighed...)
	sort.SliceStable(out, func(i, j int) bool { return better(out[i], out[j]) })
	return out
}

// replaceInfinite turns +Inf weights into max_finite + (max_finite −
// min)×100, or max_finite + 10000 when that offset is 0, as Cinder does.
func replaceInfinite(raw []float64) {
	if !slices.ContainsFunc(raw, func(v float64) bool { return math.IsInf(v, 1) }) {
		return
	}
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
