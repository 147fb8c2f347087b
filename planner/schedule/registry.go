package schedule

import (
	"fmt"
	"sort"
	"strings"
)

// DefaultFilters and DefaultWeighers are Cinder's defaults
// (scheduler_default_filters, scheduler_default_weighers).
var (
	DefaultFilters  = []string{"AvailabilityZoneFilter", "CapacityFilter", "CapabilitiesFilter"}
	DefaultWeighers = map[string]float64{"CapacityWeigher": 1.0}
)

// filterMakers and weigherMakers name every filter and weigher as Cinder
// does, so a Cinder operator's scheduler settings read the same here.
var (
	filterMakers = map[string]func() Filter{
		"AvailabilityZoneFilter": func() Filter { return AvailabilityZoneFilter{} },
		"CapacityFilter":         func() Filter { return CapacityFilter{} },
		"CapabilitiesFilter":     func() Filter { return CapabilitiesFilter{} },
		"JsonFilter":             func() Filter { return JsonFilter{} },
		"DriverFilter":           func() Filter { return DriverFilter{} },
		"DifferentBackendFilter": func() Filter { return DifferentBackendFilter{} },
		"SameBackendFilter":      func() Filter { return SameBackendFilter{} },
	}
	weigherMakers = map[string]func(mult float64) Weigher{
		"CapacityWeigher":          func(m float64) Weigher { return CapacityWeigher{Mult: m} },
		"AllocatedCapacityWeigher": func(m float64) Weigher { return AllocatedCapacityWeigher{Mult: m} },
		"VolumeNumberWeigher":      func(m float64) Weigher { return VolumeNumberWeigher{Mult: m} },
		"GoodnessWeigher":          func(m float64) Weigher { return GoodnessWeigher{Mult: m} },
	}
)

// FilterNames and WeigherNames list what can be configured, sorted.
func FilterNames() []string  { return sortedKeys(filterMakers) }
func WeigherNames() []string { return sortedKeys(weigherMakers) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Spec names a scheduler's filters (in order) and weighers (name →
// multiplier). It is plain data: plans carry it so that an apply
// reschedules with the same pipeline.
type Spec struct {
	Filters  []string           `json:"filters"`
	Weighers map[string]float64 `json:"weighers"`
}

// DefaultSpec is Cinder's default pipeline.
func DefaultSpec() Spec {
	w := map[string]float64{}
	for k, v := range DefaultWeighers {
		w[k] = v
	}
	return Spec{Filters: append([]string(nil), DefaultFilters...), Weighers: w}
}

// New builds a scheduler from a spec; nil filters or weighers mean the
// defaults. Weighers run in name order, so results never depend on map
// order.
func New(spec Spec) (*Scheduler, error) {
	if spec.Filters == nil {
		spec.Filters = DefaultFilters
	}
	if spec.Weighers == nil {
		spec.Weighers = DefaultWeighers
	}
	s := &Scheduler{}
	for _, name := range spec.Filters {
		mk, ok := filterMakers[name]
		if !ok {
			return nil, fmt.Errorf("unknown filter %q (available: %s)", name, strings.Join(FilterNames(), ", "))
		}
		s.Filters = append(s.Filters, mk())
	}
	for _, name := range sortedKeys(spec.Weighers) {
		mk, ok := weigherMakers[name]
		if !ok {
			return nil, fmt.Errorf("unknown weigher %q (available: %s)", name, strings.Join(WeigherNames(), ", "))
		}
		s.Weighers = append(s.Weighers, mk(spec.Weighers[name]))
	}
	return s, nil
}

// Default returns Cinder's default pipeline.
func Default() *Scheduler {
	s, err := New(DefaultSpec())
	if err != nil {
		panic(err) // the defaults are registered above
	}
	return s
}
