package planner

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/slab-storage/slab/planner/schedule"
)

// hintNames maps the scheduler_hints keys slab reads to the hint they
// set; Cinder's own names are accepted too.
var hintNames = map[string]string{
	"different_backend": "different_backend", "different_host": "different_backend",
	"same_backend": "same_backend", "same_host": "same_backend",
	"query": "query",
}

// hintFilters names the filter that reads each hint.
var hintFilters = map[string]string{
	"different_backend": "DifferentBackendFilter", "same_backend": "SameBackendFilter", "query": "JsonFilter",
}

// schedulerHints reads a volume's scheduler_hints into the request's
// hints. Volumes named by the affinity hints are placed first when this
// plan creates them (so their pool is known), and are referred to by ID
// when they are already recorded.
func (p *planner) schedulerHints(d *desired, placeFirst func(addr string)) (schedule.Hints, bool) {
	var h schedule.Hints
	ok := true
	fail := func(summary, detail string) {
		rng := d.common.Range("scheduler_hints")
		p.diags = append(p.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Subject: &rng, Summary: summary, Detail: detail})
		ok = false
	}
	keys := make([]string, 0, len(d.hints))
	for k := range d.hints {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		v := d.hints[key]
		if filter := hintFilters[hintNames[key]]; filter != "" && !slices.Contains(p.spec.Filters, filter) {
			rng := d.common.Range("scheduler_hints")
			p.diags = append(p.diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Subject: &rng,
				Summary: "Scheduler hint has no effect",
				Detail: fmt.Sprintf("%s is read by %s, which is not among the scheduler's filters. Add it: slab { scheduler { filters = [\"AvailabilityZoneFilter\", \"CapacityFilter\", \"CapabilitiesFilter\", \"%s\"] } }.",
					key, filter, filter)})
		}
		switch hintNames[key] {
		case "different_backend", "same_backend":
			addrs, err := hintAddresses(v)
			if err != nil {
				fail("Invalid scheduler hint", fmt.Sprintf("%s: %v. Write it as %s = [volume.db[\"a\"], volume.logs].", key, err, key))
				continue
			}
			var refs []string
			for _, addr := range addrs {
				ref, known := p.volumeRef(addr, placeFirst)
				if !known {
					fail("Invalid scheduler hint", fmt.Sprintf("%s names %s, which is not a volume of this configuration or of the recorded state.", key, addr))
					continue
				}
				refs = append(refs, ref)
			}
			if hintNames[key] == "different_backend" {
				h.DifferentBackend = append(h.DifferentBackend, refs...)
			} else {
				h.SameBackend = append(h.SameBackend, refs...)
			}
		case "query":
			q, err := hintQuery(v)
			if err != nil {
				fail("Invalid scheduler hint", fmt.Sprintf("query: %v. Write a JsonFilter query, for example query = [\">=\", \"$free_capacity_gb\", 500], or the same as a JSON string.", err))
				continue
			}
			h.Query = q
		default:
			fail("Unsupported scheduler hint", fmt.Sprintf("slab does not know the hint %q. Supported hints: different_backend, same_backend (volumes to keep apart from or together with) and query (a JsonFilter query).", key))
		}
	}
	return h, ok
}

// volumeRef is how the affinity filters know a volume: by its address
// while this plan creates it, by its ID once recorded.
func (p *planner) volumeRef(addr string, placeFirst func(string)) (string, bool) {
	if c := p.byAddr[addr]; c != nil && c.Kind == "volume" && c.Creates() {
		placeFirst(addr)
		return addr, true
	}
	if r, ok := p.recorded[addr]; ok && r.kind == "volume" {
		return r.obj.ObjectID(), true
	}
	return "", false
}

// hintAddresses reads a volume reference, an address string, or a
// collection of them.
func hintAddresses(v cty.Value) ([]string, error) {
	if v.IsNull() || !v.IsKnown() {
		return nil, fmt.Errorf("needs volumes known when planning")
	}
	t := v.Type()
	switch {
	case t == cty.String:
		return []string{v.AsString()}, nil
	case t.IsObjectType() && t.HasAttribute("address"):
		a := v.GetAttr("address")
		if a.Type() != cty.String || !a.IsKnown() || a.IsNull() {
			return nil, fmt.Errorf("not a volume reference")
		}
		return []string{a.AsString()}, nil
	case t.IsListType() || t.IsTupleType() || t.IsSetType():
		var out []string
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			addrs, err := hintAddresses(e)
			if err != nil {
				return nil, err
			}
			out = append(out, addrs...)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s is not a volume, an address or a list of them", t.FriendlyName())
}

// hintQuery turns the query hint (a JSON string or an HCL value) into
// decoded JSON.
func hintQuery(v cty.Value) (any, error) {
	if v.IsNull() {
		return nil, nil
	}
	if !v.IsWhollyKnown() {
		return nil, fmt.Errorf("must be known when planning")
	}
	var raw []byte
	if v.Type() == cty.String {
		raw = []byte(v.AsString())
	} else {
		b, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			return nil, err
		}
		raw = b
	}
	var q any
	if err := json.Unmarshal(raw, &q); err != nil {
		return nil, fmt.Errorf("is not JSON: %v", err)
	}
	return q, nil
}
