package config

import (
	"fmt"
	"math/big"
	"path/filepath"
	"slices"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

func (l *loader) decodeBackend(a *attrEval, inst *instance, base Common) {
	b := &Backend{Common: base}
	inst.typed, inst.common = b, &b.Common

	b.Driver = a.str("driver", "")
	if attr := a.body.Attributes["driver"]; attr != nil && a.ok {
		switch known := l.opts.KnownDrivers; {
		case b.Driver == "":
			a.fail(attr.Expr.Range(), "Invalid driver", `driver must name a backend driver, for example driver = "file".`)
		case len(known) > 0 && !slices.Contains(known, b.Driver):
			sorted := slices.Sorted(slices.Values(known))
			a.fail(attr.Expr.Range(), "Unknown driver", fmt.Sprintf("No backend driver is named %q.%s Available drivers: %s.",
				b.Driver, didYouMean(b.Driver, sorted), quotedList(sorted)))
		}
	}
	b.AvailabilityZone = a.str("availability_zone", "nova")
	if b.AvailabilityZone == "" {
		b.AvailabilityZone = "nova"
	}
	b.Options = a.stringMap("options", boolLower)

	pools := map[string]cty.Value{}
	for _, pb := range a.body.Blocks {
		if pb.Type != "pool" {
			continue
		}
		p, val := l.decodePool(a, pb, b.Name)
		b.Pools = append(b.Pools, p)
		pools[p.Name] = val
	}
	inst.mkAttrs = func() map[string]cty.Value {
		return map[string]cty.Value{
			"id":                cty.UnknownVal(cty.String),
			"driver":            cty.StringVal(b.Driver),
			"availability_zone": cty.StringVal(b.AvailabilityZone),
			"options":           stringMapVal(b.Options),
			"pools":             cty.ObjectVal(pools),
		}
	}
}

func (l *loader) decodePool(parent *attrEval, pb *hclsyntax.Block, backend string) (*Pool, cty.Value) {
	a := parent.sub(pb.Body)
	defer func() { parent.ok = parent.ok && a.ok }()
	p := &Pool{Name: pb.Labels[0], Backend: backend, DeclRange: pb.DefRange()}

	p.Path = a.str("path", "")
	if attr := pb.Body.Attributes["path"]; attr != nil && a.ok {
		if p.Path == "" {
			a.fail(attr.Expr.Range(), "Invalid pool path", `path must name the pool's directory, for example path = "/srv/slab/fast".`)
		} else if !filepath.IsAbs(p.Path) {
			p.Path = filepath.Join(l.cfg.Dir, p.Path)
		}
		p.Path = filepath.Clean(p.Path)
	}

	p.MaxOverSubscriptionRatio = a.ratio()
	if r, ok := a.whole("reserved_percentage", wholeRule{
		lo: 0, hi: 100, summary: "Invalid reserved_percentage",
		rule: "a whole number from 0 to 100", example: "reserved_percentage = 5",
	}); ok {
		p.ReservedPercentage = int(r)
	}

	capsVal := cty.EmptyObjectVal
	if v, attr, ok := a.value("capabilities"); ok && a.known(v, attr) {
		ty := v.Type()
		g, err := toGo(v)
		caps, isMap := g.(map[string]any)
		switch {
		case !ty.IsObjectType() && !ty.IsMapType():
			a.fail(attr.Expr.Range(), "Incorrect attribute value type", fmt.Sprintf(
				"Inappropriate value for attribute \"capabilities\": an object is required, got %s. Write it as capabilities = { disk = \"ssd\" }.", ty.FriendlyName()))
		case err != nil || !isMap:
			a.fail(attr.Expr.Range(), "Invalid capabilities", fmt.Sprintf("capabilities can hold strings, numbers, bools, lists and objects: %v.", err))
		default:
			p.Capabilities = caps
			capsVal = v
		}
	}
	if p.Capabilities == nil {
		p.Capabilities = map[string]any{}
	}
	return p, cty.ObjectVal(map[string]cty.Value{
		"name":                        cty.StringVal(p.Name),
		"full_name":                   cty.StringVal(p.FullName()),
		"path":                        cty.StringVal(p.Path),
		"max_over_subscription_ratio": cty.StringVal(p.MaxOverSubscriptionRatio),
		"reserved_percentage":         cty.NumberIntVal(int64(p.ReservedPercentage)),
		"capabilities":                capsVal,
	})
}

// ratio reads max_over_subscription_ratio: a number ≥ 1 or "auto",
// rendered as a string the way Cinder's option holds it.
func (a *attrEval) ratio() string {
	const name = "max_over_subscription_ratio"
	v, attr, ok := a.value(name)
	if !ok || !a.known(v, attr) {
		return ""
	}
	bad := func(got string) string {
		a.fail(attr.Expr.Range(), "Invalid max_over_subscription_ratio", fmt.Sprintf(
			`max_over_subscription_ratio must be a number of at least 1 or the string "auto"; got %s. For example max_over_subscription_ratio = 20.`, got))
		return ""
	}
	switch v.Type() {
	case cty.String:
		if v.AsString() == "auto" {
			return "auto"
		}
	case cty.Number:
	default:
		return bad(friendly(v))
	}
	nv, err := convert.Convert(v, cty.Number)
	if err != nil {
		return bad(fmt.Sprintf("%q", v.AsString()))
	}
	if nv.AsBigFloat().Cmp(big.NewFloat(1)) < 0 {
		return bad(numberString(nv))
	}
	return numberString(nv)
}
