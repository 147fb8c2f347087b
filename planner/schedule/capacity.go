package schedule

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/slab-storage/slab/drivers"
)

// DefaultOverSubscriptionRatio is Cinder's max_over_subscription_ratio default.
const DefaultOverSubscriptionRatio = 20.0

// OverSubscriptionRatio reads a pool's max_over_subscription_ratio as
// Cinder does: absent, zero or unparsable → 20; "auto" → 1 + provisioned /
// (total − free + 1), or 20 when nothing is provisioned; 1 when thin
// provisioning is unsupported or capacity is infinite/unknown.
func OverSubscriptionRatio(st drivers.PoolStats) float64 {
	if !st.ThinProvisioningSupport || !st.TotalCapacityGB.Finite() || !st.FreeCapacityGB.Finite() {
		return 1
	}
	raw := strings.TrimSpace(st.MaxOverSubscriptionRatio)
	if strings.EqualFold(raw, "auto") {
		if st.ProvisionedCapacityGB == 0 {
			return DefaultOverSubscriptionRatio
		}
		return 1 + st.ProvisionedCapacityGB/(st.TotalCapacityGB.GiB-st.FreeCapacityGB.GiB+1)
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || v == 0 {
		return DefaultOverSubscriptionRatio
	}
	return v
}

// CapacityFactors are Cinder's calculate_capacity_factors results.
type CapacityFactors struct {
	Thin        bool
	Ratio       float64
	Available   float64
	VirtualFree float64
}

// round2 is Python's round(v, 2), which Cinder's _limit uses: the exact
// binary value rounded to two decimals, ties to even (round(2.675, 2) is
// 2.67, as 2.675 is stored just below the tie). v×100 rounds the same way
// unless it lands next to a tie, where the product's own rounding error
// could decide; there, and for huge values, the exact decimal expansion
// decides.
func round2(v float64) float64 {
	y := v * 100
	if math.Abs(y) < 1e9 && math.Abs(math.Abs(y-math.Trunc(y))-0.5) > 1e-6 {
		return math.Round(y) / 100
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', 2, 64), 64)
	return r
}

// Factors computes capacity for a request: reserved = floor(total ×
// reserved% / 100), base = total − reserved; thin: available = base × ratio
// and virtual free = available − provisioned; thick: virtual free =
// min(free, base − provisioned). Only call with finite capacities.
func Factors(st drivers.PoolStats, thick bool) CapacityFactors {
	total, free := st.TotalCapacityGB.GiB, st.FreeCapacityGB.GiB
	// Cinder divides the percentage first (float(pct) / 100), so 29% of
	// 100 reserves floor(28.999999999999996) = 28.
	reserved := math.Floor(total * (float64(st.ReservedPercentage) / 100))
	base := total - reserved
	f := CapacityFactors{Thin: !thick && st.ThinProvisioningSupport, Ratio: OverSubscriptionRatio(st)}
	if f.Thin {
		avail := base * f.Ratio // Cinder subtracts from the unrounded value
		f.Available = round2(avail)
		f.VirtualFree = round2(avail - st.ProvisionedCapacityGB)
	} else {
		f.Available = round2(base)
		f.VirtualFree = round2(math.Min(free, base-st.ProvisionedCapacityGB))
	}
	return f
}

// CapacityFilter is Cinder's CapacityFilter.
type CapacityFilter struct{}

func (CapacityFilter) Name() string { return "CapacityFilter" }

func (CapacityFilter) Filter(p *PoolState, req *Request) (bool, string) {
	st := p.Stats
	size := float64(req.RequestedGiB())
	switch {
	case size == 0:
		return true, ""
	case !st.FreeCapacityGB.Finite():
		return true, ""
	case !st.TotalCapacityGB.Finite():
		if st.ReservedPercentage == 0 {
			return true, ""
		}
		return false, fmt.Sprintf("total capacity is %s and %d%% is reserved", st.TotalCapacityGB, st.ReservedPercentage)
	case st.TotalCapacityGB.GiB <= 0:
		return false, fmt.Sprintf("total capacity is %s GiB", st.TotalCapacityGB)
	}
	f := p.Factors(req.Thick())
	if f.Thin {
		if f.Ratio < 1 {
			return false, fmt.Sprintf("max_over_subscription_ratio %.2f is below 1", f.Ratio)
		}
		if f.Available > 0 && (st.ProvisionedCapacityGB+size)/f.Available > f.Ratio {
			return false, fmt.Sprintf("provisioning %.0f GiB more would exceed the over-subscription ratio %.2f", size, f.Ratio)
		}
	}
	if f.VirtualFree < size {
		kind := "thick"
		if f.Thin {
			kind = fmt.Sprintf("thin, ratio %.2f", f.Ratio)
		}
		return false, fmt.Sprintf("needs %.0f GiB, %.2f GiB virtually free (%s; total %s, free %s, provisioned %.2f, reserved %d%%)",
			size, f.VirtualFree, kind, st.TotalCapacityGB, st.FreeCapacityGB, st.ProvisionedCapacityGB, st.ReservedPercentage)
	}
	return true, ""
}

// CapacityWeigher is Cinder's CapacityWeigher: more virtual free space
// weighs more (with a positive multiplier).
type CapacityWeigher struct{ Mult float64 }

func (CapacityWeigher) Name() string          { return "CapacityWeigher" }
func (w CapacityWeigher) Multiplier() float64 { return w.Mult }

func (w CapacityWeigher) Weigh(p *PoolState, req *Request) (float64, error) {
	st := p.Stats
	if !st.TotalCapacityGB.Finite() || !st.FreeCapacityGB.Finite() {
		if w.Mult > 0 {
			return -1, nil
		}
		return math.Inf(1), nil
	}
	return p.Factors(req.Thick()).VirtualFree, nil
}

// AvailabilityZoneFilter is Cinder's AvailabilityZoneFilter: a request that
// names a zone (directly or through RESKEY:availability_zones) only lands
// in a pool of that zone.
type AvailabilityZoneFilter struct{}

func (AvailabilityZoneFilter) Name() string { return "AvailabilityZoneFilter" }

func (AvailabilityZoneFilter) Filter(p *PoolState, req *Request) (bool, string) {
	if zones := req.Zones(); zones != nil {
		if slices.Contains(zones, p.AvailabilityZone) {
			return true, ""
		}
		return false, fmt.Sprintf("zone %q is not in the type's availability zones %q", p.AvailabilityZone, req.ExtraSpecs["RESKEY:availability_zones"])
	}
	if req.AvailabilityZone != "" && req.AvailabilityZone != p.AvailabilityZone {
		return false, fmt.Sprintf("zone %q, requested %q", p.AvailabilityZone, req.AvailabilityZone)
	}
	return true, ""
}
