package config

import (
	"fmt"
	"math"

	"github.com/zclconf/go-cty/cty"
)

var sizeRule = wholeRule{
	lo: 1, hi: math.MaxInt32, summary: "Invalid size",
	rule: "a whole number of GiB, at least 1", example: "size = 20",
}

func (l *loader) decodeVolume(a *attrEval, inst *instance, n *node, base Common) {
	v := &Volume{Common: base}
	inst.typed, inst.common = v, &v.Common

	if size, ok := a.whole("size", sizeRule); ok {
		v.Size = int(size)
	}
	v.Type = a.reference("type", "volume_type", true)
	v.AvailabilityZone = a.str("availability_zone", "")
	v.Description = a.str("description", "")
	v.Metadata = a.stringMap("metadata", boolLower)
	v.Source = a.source()
	v.RevertTo, _ = a.revertTo()
	v.SchedulerHints = a.schedulerHints()
	v.Lifecycle = a.lifecycle(n)

	inst.mkAttrs = func() map[string]cty.Value {
		source := cty.NullVal(cty.Object(map[string]cty.Type{"kind": cty.String, "address": cty.String}))
		if v.Source.Kind != "" {
			source = cty.ObjectVal(map[string]cty.Value{
				"kind":    cty.StringVal(v.Source.Kind),
				"address": cty.StringVal(v.Source.Address),
			})
		}
		hints := cty.EmptyObjectVal
		if len(v.SchedulerHints) > 0 {
			hints = cty.ObjectVal(v.SchedulerHints)
		}
		return map[string]cty.Value{
			"id":                cty.UnknownVal(cty.String),
			"pool":              cty.UnknownVal(cty.String),
			"status":            cty.UnknownVal(cty.String),
			"size":              cty.NumberIntVal(int64(v.Size)),
			"type":              cty.StringVal(v.Type),
			"availability_zone": cty.StringVal(v.AvailabilityZone),
			"description":       cty.StringVal(v.Description),
			"metadata":          stringMapVal(v.Metadata),
			"source":            source,
			"scheduler_hints":   hints,
			"revert_to":         cty.StringVal(v.RevertTo),
		}
	}
}

// schedulerHints keeps the hints as cty values: each filter reads its own
// hint, and some (different_backend) may hold values known only later.
func (a *attrEval) schedulerHints() map[string]cty.Value {
	v, attr, ok := a.value("scheduler_hints")
	if !ok {
		return nil
	}
	ty := v.Type()
	if !v.IsKnown() || (!ty.IsObjectType() && !ty.IsMapType()) {
		a.fail(attr.Expr.Range(), "Incorrect attribute value type", fmt.Sprintf(
			"Inappropriate value for attribute \"scheduler_hints\": an object is required, got %s. Write it as scheduler_hints = { different_backend = [volume.db] }.", friendly(v)))
		return nil
	}
	out := make(map[string]cty.Value, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		out[k.AsString()] = ev
	}
	return out
}

func (l *loader) decodeSnapshot(a *attrEval, inst *instance, n *node, base Common) {
	s := &Snapshot{Common: base}
	inst.typed, inst.common = s, &s.Common

	if attr := a.body.Attributes["volume"]; attr != nil {
		s.Volume = a.reference("volume", "volume", false)
		if s.Volume == "" && a.ok {
			a.fail(attr.Expr.Range(), "Missing volume", fmt.Sprintf(
				"A snapshot needs the volume it copies, and volume is null. Set it, for example volume = volume.%s.", l.exampleName("volume")))
		}
	}
	s.Description = a.str("description", "")
	s.Metadata = a.stringMap("metadata", boolLower)
	s.Lifecycle = a.lifecycle(n)

	inst.mkAttrs = func() map[string]cty.Value {
		return map[string]cty.Value{
			"id":          cty.UnknownVal(cty.String),
			"status":      cty.UnknownVal(cty.String),
			"size":        cty.UnknownVal(cty.Number),
			"volume":      cty.StringVal(s.Volume),
			"description": cty.StringVal(s.Description),
			"metadata":    stringMapVal(s.Metadata),
		}
	}
}
