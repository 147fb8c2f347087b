package config

import (
	"fmt"

	"github.com/zclconf/go-cty/cty"
)

var qosConsumers = []string{"front-end", "back-end", "both"}

func (l *loader) decodeQoS(a *attrEval, inst *instance, base Common) {
	q := &QoS{Common: base}
	inst.typed, inst.common = q, &q.Common

	q.Consumer = a.str("consumer", "back-end")
	if attr := a.body.Attributes["consumer"]; attr != nil && a.ok {
		found := false
		for _, c := range qosConsumers {
			found = found || c == q.Consumer
		}
		if !found {
			a.fail(attr.Expr.Range(), "Invalid consumer", fmt.Sprintf(
				`consumer must be "front-end" (applied by the host on attach), "back-end" (applied by the driver) or "both"; got %q.%s`,
				q.Consumer, didYouMean(q.Consumer, qosConsumers)))
		}
	}
	// Cinder keeps QoS specs as strings; numbers keep their written form.
	q.Specs = a.stringMap("specs", boolReject)

	inst.mkAttrs = func() map[string]cty.Value {
		return map[string]cty.Value{
			"id":       cty.UnknownVal(cty.String),
			"consumer": cty.StringVal(q.Consumer),
			"specs":    stringMapVal(q.Specs),
		}
	}
}

func (l *loader) decodeVolumeType(a *attrEval, inst *instance, base Common) {
	t := &VolumeType{Common: base}
	inst.typed, inst.common = t, &t.Common

	t.Description = a.str("description", "")
	// Bools become "True"/"False": Cinder's capability matching compares
	// extra specs with the string form of Python values.
	t.ExtraSpecs = a.stringMap("extra_specs", boolPython)
	t.QoS = a.reference("qos", "qos", false)
	t.Quota = a.quota(a.body)

	inst.mkAttrs = func() map[string]cty.Value {
		return map[string]cty.Value{
			"id":          cty.UnknownVal(cty.String),
			"description": cty.StringVal(t.Description),
			"extra_specs": stringMapVal(t.ExtraSpecs),
			"qos":         cty.StringVal(t.QoS),
		}
	}
}
