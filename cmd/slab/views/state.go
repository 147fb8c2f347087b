package views

import (
	"fmt"
	"io"
	"path"
	"sort"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/slab-storage/slab/providers"
	"github.com/slab-storage/slab/state"
)

// Resource is one recorded object as `state show` presents it.
type Resource struct {
	Address string         `json:"address"`
	Type    string         `json:"type"`
	Name    string         `json:"name"`
	Index   any            `json:"index,omitempty"`
	Values  map[string]any `json:"values"`
	// Sensitive lists attributes left out of Values.
	Sensitive map[string]bool `json:"sensitive_values,omitempty"`
	Reason    string          `json:"status_reason,omitempty"`
}

// resources lists the recorded managed objects (not pools), by address.
func resources(rec *state.State) []Resource {
	lookup := rec.AddressIndex()
	var out []Resource
	for _, o := range rec.Objects() {
		kind, err := providers.KindOf(string(o.ObjectKind()))
		if err != nil {
			continue // pools are catalog, not managed objects
		}
		r := Resource{Address: o.ObjectAddress(), Type: string(o.ObjectKind()), Index: indexOf(o.ObjectAddress())}
		r.Values, r.Sensitive = redact(string(o.ObjectKind()), kind.Attrs(o, lookup), state.SensitiveAttrs(o))
		r.Name = state.NameOf(o)
		switch x := o.(type) {
		case *state.Volume:
			r.Reason = x.StatusReason
		case *state.Snapshot:
			r.Reason = x.StatusReason
		}
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out
}

// StateAddresses lists recorded addresses, optionally filtered by glob
// patterns (`volume.db*`).
func StateAddresses(rec *state.State, patterns []string) []string {
	var out []string
	for _, r := range resources(rec) {
		if len(patterns) == 0 || matchesAny(r.Address, patterns) {
			out = append(out, r.Address)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}

func matchesAny(addr string, patterns []string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, addr); ok || p == addr {
			return true
		}
	}
	return false
}

// StateResource returns the object at address.
func StateResource(rec *state.State, address string) (Resource, bool) {
	for _, r := range resources(rec) {
		if r.Address == address {
			return r, true
		}
	}
	return Resource{}, false
}

// WriteResource prints one object as HCL-like text.
func WriteResource(w io.Writer, r Resource) {
	fmt.Fprintf(w, "# %s:\n%s %q {\n", r.Address, r.Type, r.Name)
	schema := schemaOf(r.Type)
	width := 0
	for _, a := range schema.Attributes {
		if r.Values[a.Name] != nil {
			width = max(width, len(a.Name))
		}
	}
	for _, a := range schema.Attributes {
		if r.Sensitive[a.Name] {
			width = max(width, len(a.Name))
		}
	}
	for _, a := range schema.Attributes {
		switch v := r.Values[a.Name]; {
		case r.Sensitive[a.Name]:
			fmt.Fprintf(w, "    %-*s = %s\n", width, a.Name, valueText(nil, true))
		case v != nil:
			fmt.Fprintf(w, "    %-*s = %s\n", width, a.Name, valueText(v, false))
		}
	}
	if r.Reason != "" {
		fmt.Fprintf(w, "    # status reason: %s\n", r.Reason)
	}
	fmt.Fprintln(w, "}")
}

// WriteState prints every recorded object.
func WriteState(w io.Writer, rec *state.State) {
	res := resources(rec)
	if len(res) == 0 {
		fmt.Fprintf(w, "Stack %q records no objects.\n", rec.Stack.Name)
		return
	}
	for i, r := range res {
		if i > 0 {
			fmt.Fprintln(w)
		}
		WriteResource(w, r)
	}
}

// StateJSON is the machine-readable state, shaped like `terraform show -json`.
func StateJSON(rec *state.State) any {
	res := resources(rec)
	if res == nil {
		res = []Resource{}
	}
	return map[string]any{
		"format_version": "1.0",
		"stack":          rec.Stack.Name,
		"lineage":        rec.Stack.Lineage,
		"serial":         rec.Stack.Serial,
		"values":         map[string]any{"resources": res},
		"pools":          rec.Pools,
	}
}

// FormatValue renders a value as HCL.
func FormatValue(v cty.Value) string {
	if !v.IsWhollyKnown() {
		return "(known after apply)"
	}
	return string(hclwrite.TokensForValue(v).Bytes())
}
