package providers

import (
	"math"
	"strconv"
	"strings"
)

// qosBaseKeys are the QoS keys Cinder resolves per GB.
var qosBaseKeys = []string{
	"read_iops_sec", "write_iops_sec", "total_iops_sec",
	"read_bytes_sec", "write_bytes_sec", "total_bytes_sec",
}

// ResolveQoS returns the concrete limits for a volume of sizeGiB: plain keys
// are kept, and each X_per_gb becomes
// X = min(max(X_per_gb_min, X_per_gb × size), X_max), as Cinder resolves
// them for front-end consumers. Values that are not numbers are dropped,
// since a hypervisor could not apply them either.
func ResolveQoS(specs map[string]string, sizeGiB int) map[string]int64 {
	out := map[string]int64{}
	for k, v := range specs {
		if strings.HasSuffix(k, "_per_gb") || strings.HasSuffix(k, "_per_gb_min") {
			continue
		}
		if n, ok := qosNumber(v); ok {
			out[k] = n
		}
	}
	for _, base := range qosBaseKeys {
		perGB, ok := qosNumber(specs[base+"_per_gb"])
		if !ok {
			continue
		}
		value := perGB * int64(sizeGiB)
		if minimum, ok := qosNumber(specs[base+"_per_gb_min"]); ok && minimum > value {
			value = minimum
		}
		if maximum, ok := qosNumber(specs[base+"_max"]); ok && maximum < value {
			value = maximum
		}
		out[base] = value
	}
	return out
}

// qosNumber reads a spec value as Cinder's int() would: whole numbers, and
// floats truncated toward zero.
func qosNumber(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return int64(f), true
}

// QoSLimits is ResolveQoS as plan attributes (string values), or nil when
// there is nothing to resolve.
func QoSLimits(specs map[string]string, sizeGiB int) map[string]string {
	limits := ResolveQoS(specs, sizeGiB)
	if len(limits) == 0 {
		return nil
	}
	out := make(map[string]string, len(limits))
	for k, v := range limits {
		out[k] = strconv.FormatInt(v, 10)
	}
	return out
}
