package config

import (
	"fmt"
	"slices"
	"sort"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// declScheduler reads `scheduler { filters = [...], weighers = {...} }`.
// Like the rest of the slab block it is read before anything is
// evaluated, so it takes literals only.
func (l *loader) declScheduler(b *hclsyntax.Block) {
	r := b.DefRange()
	if !l.checkLabels(b, 0) || !l.checkBody(b.Body, schemaScheduler, r) {
		return
	}
	ev := &attrEval{l: l, body: b.Body, ctx: constContext(), ok: true}
	s := &Scheduler{Range: r}
	if v, attr, ok := ev.value("filters"); ok && ev.known(v, attr) {
		list, err := convert.Convert(v, cty.List(cty.String))
		if err != nil {
			ev.typeError(attr, err, `Set filters to a list of filter names, for example filters = ["AvailabilityZoneFilter", "CapacityFilter", "CapabilitiesFilter"].`)
		} else {
			s.Filters = []string{}
			for _, e := range list.AsValueSlice() {
				name := e.AsString()
				if known := l.opts.KnownFilters; len(known) > 0 && !slices.Contains(known, name) {
					ev.fail(attr.Expr.Range(), "Unknown scheduler filter", fmt.Sprintf("No filter is named %q.%s Available filters: %s.",
						name, didYouMean(name, known), quotedList(known)))
					continue
				}
				if slices.Contains(s.Filters, name) {
					ev.fail(attr.Expr.Range(), "Duplicate scheduler filter", fmt.Sprintf("%s is listed twice; each filter runs once. Remove one.", name))
					continue
				}
				s.Filters = append(s.Filters, name)
			}
		}
	}
	if v, attr, ok := ev.value("weighers"); ok && ev.known(v, attr) {
		m, err := convert.Convert(v, cty.Map(cty.Number))
		if err != nil {
			ev.typeError(attr, err, "Set weighers to a map of weigher names to multipliers, for example weighers = { CapacityWeigher = 1.0, VolumeNumberWeigher = -1.0 }.")
		} else {
			s.Weighers = map[string]float64{}
			names := make([]string, 0, m.LengthInt())
			for k := range m.AsValueMap() {
				names = append(names, k)
			}
			sort.Strings(names)
			for _, name := range names {
				if known := l.opts.KnownWeighers; len(known) > 0 && !slices.Contains(known, name) {
					ev.fail(attr.Expr.Range(), "Unknown scheduler weigher", fmt.Sprintf("No weigher is named %q.%s Available weighers: %s.",
						name, didYouMean(name, known), quotedList(known)))
					continue
				}
				f, _ := m.Index(cty.StringVal(name)).AsBigFloat().Float64()
				s.Weighers[name] = f
			}
		}
	}
	if ev.ok {
		l.cfg.Settings.Scheduler = s
	}
}
