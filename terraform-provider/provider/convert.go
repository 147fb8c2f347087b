package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/slab-storage/slab/providers"
)

// known reports whether every value is known, so the engine can check a
// plan now rather than at apply.
func known(vals ...attr.Value) bool {
	for _, v := range vals {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}

// strOrNil is a string attribute as the engine spells it: nil when unset.
func strOrNil(v types.String) any {
	if v.IsNull() || v.IsUnknown() || v.ValueString() == "" {
		return nil
	}
	return v.ValueString()
}

// ref is the address of a named object of kind, nil when unset.
func ref(kind string, v types.String) any {
	if s, ok := strOrNil(v).(string); ok {
		return kind + "." + s
	}
	return nil
}

// nameOf is the name in an address "kind.name".
func nameOf(address string) string {
	_, name, _ := strings.Cut(address, ".")
	return name
}

// stringMap reads a map(string) attribute; nil when unset or empty.
func stringMap(ctx context.Context, m types.Map, diags *diag.Diagnostics) map[string]string {
	if m.IsNull() || m.IsUnknown() {
		return nil
	}
	out := map[string]string{}
	diags.Append(m.ElementsAs(ctx, &out, false)...)
	if len(out) == 0 {
		return nil
	}
	return out
}

// mapValue is a recorded map as an attribute. An empty recorded map keeps
// the spelling the configuration used (null or {}), since slab does not
// tell them apart and Terraform does.
func mapValue(m map[string]string, prior types.Map) types.Map {
	if len(m) == 0 {
		if !prior.IsNull() && !prior.IsUnknown() && len(prior.Elements()) == 0 {
			return prior
		}
		return types.MapNull(types.StringType)
	}
	elems := make(map[string]attr.Value, len(m))
	for k, v := range m {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

// strValue is a recorded string as an attribute, keeping a prior "" as
// the configuration spelled it.
func strValue(s string, prior types.String) types.String {
	if s == "" {
		if !prior.IsNull() && !prior.IsUnknown() && prior.ValueString() == "" {
			return prior
		}
		return types.StringNull()
	}
	return types.StringValue(s)
}

// replacePaths maps the engine's attributes that force replacement to
// Terraform attribute paths.
func replacePaths(names []string, tfName func(string) string) path.Paths {
	var out path.Paths
	for _, n := range names {
		out = append(out, path.Root(tfName(n)))
	}
	return out
}

// schemaReplacements is what the kind's change rules say forces
// replacement, for plans the engine cannot check yet (a value is known
// only after apply): unknown values count as changed.
func schemaReplacements(s *providers.Schema, before, after providers.Attrs) []string {
	return s.Compare(before, after, nil).ForcesReplacement
}

// unknownValue stands for a value known only after apply in attributes
// given to schemaReplacements.
const unknownValue = "(known after apply)"

// plannedRef is a reference attribute for schemaReplacements.
func plannedRef(kind string, v types.String) any {
	if v.IsUnknown() {
		return unknownValue
	}
	return ref(kind, v)
}
