package schedule

import (
	"maps"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/slab-storage/slab/planner/schedule/evaluator"
)

// The variables a pool's filter_function and goodness_function see, built
// as Cinder's DriverFilter / GoodnessWeigher _generate_stats do:
//
//   - stats: a fixed set of host_state fields. It has no provisioned
//     capacity and no over-subscription ratio (those are only in
//     capabilities), and the DriverFilter's has cluster_name and
//     backend_id while the GoodnessWeigher's does not.
//   - capabilities: everything the pool reports (PoolState.Capabilities).
//   - volume: the request's volume_properties. For an extend Cinder
//     passes the volume itself, so volume.size is the current (old) size.
//   - extra: the volume type's extra specs; qos: its QoS specs.

// exprConsumer says whose stats dict to build.
type exprConsumer int

const (
	forDriverFilter exprConsumer = iota
	forGoodnessWeigher
)

// poolFunction returns the pool's filter_function or goodness_function
// (key). The stats field wins; a custom capability of that name is the
// fallback, converted with Python's str() as Cinder does. An explicit
// empty string in the capabilities is a function (that does not parse),
// as in Cinder, where only None means "no function".
func poolFunction(p *PoolState, key string) (string, bool) {
	field := p.Stats.FilterFunction
	if key == "goodness_function" {
		field = p.Stats.GoodnessFunction
	}
	if field != "" {
		return field, true
	}
	v, ok := p.Stats.Capabilities[key]
	if !ok || v == nil {
		return "", false
	}
	return pyStr(v), true
}

// pyStr is Python's str() for the values a capability can hold; JSON
// decodes integers to float64, so an integral float prints as an int.
func pyStr(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return strconv.FormatInt(int64(x), 10)
		}
		return evaluator.FloatValue(x).String()
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return specRender(v)
}

// exprCache holds parsed functions by source text: a pool's function is
// parsed once and then evaluated for every request × pool. Parse errors
// are cached too. It stops growing at exprCacheMax entries, so a stream
// of distinct functions cannot exhaust memory (they are then parsed each
// time).
var (
	exprCache    sync.Map // string → exprCacheEntry
	exprCacheLen atomic.Int64
)

const exprCacheMax = 4096

type exprCacheEntry struct {
	expr *evaluator.Expr
	err  error
}

func parseExpr(src string) (*evaluator.Expr, error) {
	if e, ok := exprCache.Load(src); ok {
		ce := e.(exprCacheEntry)
		return ce.expr, ce.err
	}
	expr, err := evaluator.Parse(src)
	if exprCacheLen.Load() < exprCacheMax {
		if _, loaded := exprCache.LoadOrStore(src, exprCacheEntry{expr, err}); !loaded {
			exprCacheLen.Add(1)
		}
	}
	return expr, err
}

// exprVariant is one set of variables, and the storage_protocol spelling
// it stands for when the pool's protocol has variants.
type exprVariant struct {
	protocol string // "" when not expanded
	vars     evaluator.Vars
}

// exprVariants returns the variable sets to evaluate src with: one, or
// (when src mentions storage_protocol anywhere, even inside a string, and
// the pool's protocol has Cinder spelling variants) one per variant, in
// Cinder's order, with stats.storage_protocol and
// capabilities.storage_protocol set to that spelling.
func exprVariants(p *PoolState, req *Request, src string, who exprConsumer) []exprVariant {
	caps := p.Capabilities()
	base := evaluator.Vars{
		"stats":        exprStats(p, caps, who),
		"capabilities": caps,
		"volume":       exprVolume(req),
		"extra":        stringsToAny(req.ExtraSpecs),
		"qos":          stringsToAny(req.QoSSpecs),
	}
	sp, _ := caps["storage_protocol"].(string)
	group := protocolGroup(sp)
	if group == nil || !strings.Contains(src, "storage_protocol") {
		return []exprVariant{{vars: base}}
	}
	out := make([]exprVariant, 0, len(group))
	for _, proto := range group {
		vars := maps.Clone(base)
		stats := maps.Clone(base["stats"])
		stats["storage_protocol"] = proto
		c := maps.Clone(caps) // the cached map is shared: never write to it
		c["storage_protocol"] = proto
		vars["stats"], vars["capabilities"] = stats, c
		out = append(out, exprVariant{protocol: proto, vars: vars})
	}
	return out
}

// exprStats is Cinder's backend_stats / host_stats dict.
func exprStats(p *PoolState, caps map[string]any, who exprConsumer) map[string]any {
	st := &p.Stats
	qos, ok := caps["QoS_support"]
	if !ok {
		qos = false // host_manager's default
	}
	stats := map[string]any{
		"host":                  p.Name,
		"volume_backend_name":   caps["volume_backend_name"],
		"vendor_name":           caps["vendor_name"],
		"driver_version":        caps["driver_version"],
		"storage_protocol":      caps["storage_protocol"],
		"QoS_support":           qos,
		"total_capacity_gb":     capacityValue(st.TotalCapacityGB),
		"allocated_capacity_gb": st.AllocatedCapacityGB,
		"free_capacity_gb":      capacityValue(st.FreeCapacityGB),
		"reserved_percentage":   st.ReservedPercentage,
		// A datetime in Cinder; slab has none. Either way reading it in
		// an expression is an error (int() of it raises).
		"updated": nil,
	}
	if who == forDriverFilter {
		stats["cluster_name"] = nil // slab has no clusters
		stats["backend_id"] = p.Name
	}
	return stats
}

// exprVolume is request_spec.volume_properties: what Cinder's create flow
// records for a new volume, or the volume itself for an extend.
func exprVolume(req *Request) map[string]any {
	vol := map[string]any{
		"size":        req.SizeGiB,
		"status":      "creating",
		"metadata":    stringsToAny(req.Metadata),
		"multiattach": req.ExtraSpecs["multiattach"] == "<is> True",
	}
	if req.OldSizeGiB > 0 {
		vol["size"] = req.OldSizeGiB
		vol["status"] = "extending"
	} else {
		vol["attach_status"] = "detached"
	}
	if req.AvailabilityZone != "" {
		vol["availability_zone"] = req.AvailabilityZone
	}
	if req.VolumeType != "" {
		vol["volume_type_id"] = req.VolumeType // slab names types; Cinder's ID is a UUID
	}
	return vol
}

func stringsToAny(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
