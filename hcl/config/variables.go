package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// EnvVarPrefix starts the environment variables that set input variables.
const EnvVarPrefix = "SLAB_VAR_"

type variableDecl struct {
	v        *Variable
	block    *hclsyntax.Block
	typed    bool // a type was declared
	defaults *typeexpr.Defaults
	def      cty.Value // NilVal when there is no default
	failed   bool

	// The winning setting so far, in precedence order.
	val     cty.Value
	valRng  *hcl.Range // where the value was written, if in a file
	valFrom string     // "default", "env", "var-file", "cli"
	valDesc string     // for messages: "the SLAB_VAR_x environment variable"
}

func (l *loader) declVariable(b *hclsyntax.Block) {
	if !l.checkLabels(b, 1) {
		return
	}
	name := b.Labels[0]
	okName := l.checkName(name, "variable", b.LabelRanges[0])
	if first, dup := l.vars[name]; dup {
		l.diags = append(l.diags, newDiag(b.LabelRanges[0], "Duplicate variable declaration",
			fmt.Sprintf("A variable named %q was already declared at %s. Rename or remove one of them.", name, pos(first.v.DeclRange))))
		return
	}
	d := &variableDecl{
		v:     &Variable{Name: name, Type: cty.DynamicPseudoType, DeclRange: b.DefRange()},
		block: b,
		def:   cty.NilVal,
	}
	l.vars[name] = d
	l.varList = append(l.varList, d)
	ok := l.checkBody(b.Body, schemaVariable, d.v.DeclRange) && okName
	for _, vb := range b.Body.Blocks {
		if vb.Type == "validation" {
			ok = l.checkBody(vb.Body, schemaValidation, vb.DefRange()) && ok
		}
	}
	if a := b.Body.Attributes["type"]; a != nil {
		ty, defaults, diags := typeexpr.TypeConstraintWithDefaults(a.Expr)
		l.diags = append(l.diags, diags...)
		ok = ok && !diags.HasErrors()
		d.v.Type, d.defaults, d.typed = ty, defaults, !diags.HasErrors()
	}
	// Declarations are read before anything is evaluated: constants only.
	ev := &attrEval{l: l, body: b.Body, ctx: constContext(), ok: true}
	d.v.Description = ev.str("description", "")
	d.v.Sensitive = ev.boolean("sensitive")
	if a := b.Body.Attributes["default"]; a != nil {
		v, diags := a.Expr.Value(constContext())
		l.diags = append(l.diags, diags...)
		if diags.HasErrors() {
			ok = false
		} else {
			d.def = v
			d.set(v, a.Expr.Range().Ptr(), "default", "its default")
		}
	}
	d.failed = !ok || !ev.ok
}

func (d *variableDecl) set(v cty.Value, rng *hcl.Range, from, desc string) {
	d.val, d.valRng, d.valFrom, d.valDesc = v, rng, from, desc
}

// resolveVariables applies the settings in precedence order (default <
// SLAB_VAR_ environment < -var-file files < -var options, later wins),
// converts each value to its type and runs the validation rules.
func (l *loader) resolveVariables() {
	for _, kv := range l.opts.Environ {
		name, raw, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, EnvVarPrefix) {
			continue
		}
		name = strings.TrimPrefix(name, EnvVarPrefix)
		// As in Terraform, environment values for undeclared variables are
		// ignored: the environment is shared with other configurations.
		if d := l.vars[name]; d != nil && !d.failed {
			l.setRaw(d, raw, "env", fmt.Sprintf("the %s%s environment variable", EnvVarPrefix, name))
		}
	}
	for _, path := range l.opts.VarFiles {
		l.readVarFile(path)
	}
	for _, kv := range l.opts.Vars {
		name, raw, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			l.diags = append(l.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid -var option",
				Detail: fmt.Sprintf("The option -var %q is not of the form name=value. Write it as -var 'name=value'.", kv)})
			continue
		}
		d := l.vars[name]
		if d == nil {
			l.diags = append(l.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Value for undeclared variable",
				Detail: fmt.Sprintf("The option -var %q sets a variable that the configuration does not declare.%s Declare it with variable %q { } or remove the option.",
					kv, didYouMean(name, mapKeys(l.vars)), name)})
			continue
		}
		if !d.failed {
			desc := fmt.Sprintf("the option -var %q", kv)
			if d.v.Sensitive {
				desc = fmt.Sprintf("the option -var %s=(sensitive)", name) // never echo a secret
			}
			l.setRaw(d, raw, "cli", desc)
		}
	}

	attrs := make(map[string]cty.Value, len(l.varList))
	for _, d := range l.varList {
		l.finishVariable(d)
		if d.failed {
			attrs[d.v.Name] = cty.DynamicVal
		} else if d.v.Sensitive {
			attrs[d.v.Name] = d.val.Mark(sensitiveMark)
		} else {
			attrs[d.v.Name] = d.val
		}
	}
	l.varObj = cty.ObjectVal(attrs)
	for _, d := range l.varList {
		if !d.failed {
			l.validateVariable(d)
		}
	}
	for _, d := range l.varList {
		l.cfg.VariableDecls = append(l.cfg.VariableDecls, d.v)
		if !d.failed {
			l.cfg.Variables[d.v.Name] = d.val
		}
	}
}

// setRaw records a value given as text on the command line or in the
// environment. As in Terraform, text for a string (or untyped) variable is
// taken literally and text for a collection or structure is parsed as an
// HCL expression. Text for a number or bool is kept as a string too: the
// conversion to the type then reads it, with a clearer message than the
// parser's for a bare word.
func (l *loader) setRaw(d *variableDecl, raw, from, desc string) {
	if d.v.Type.IsPrimitiveType() || d.v.Type == cty.DynamicPseudoType {
		d.set(cty.StringVal(raw), nil, from, desc)
		return
	}
	fake := fmt.Sprintf("<value for var.%s>", d.v.Name)
	expr, diags := hclsyntax.ParseExpression([]byte(raw), fake, hcl.InitialPos)
	var v cty.Value
	if !diags.HasErrors() {
		v, diags = expr.Value(nil)
	}
	if diags.HasErrors() {
		shown := fmt.Sprintf("%q", raw)
		if d.v.Sensitive {
			shown = "(sensitive)"
		}
		l.diags = append(l.diags, newDiag(d.v.DeclRange, "Invalid value for variable", fmt.Sprintf(
			"The value %s given by %s for var.%s is not a valid %s: %s. Write it as HCL, for example [\"a\", \"b\"] for a list or { a = 1 } for a map, with strings quoted.",
			shown, desc, d.v.Name, typeexpr.TypeString(d.v.Type), diags[0].Summary)))
		d.failed = true
		return
	}
	d.set(v, nil, from, desc)
}

// readVarFile applies the name = value attributes of one -var-file, HCL or
// (when it ends in .json) JSON. Relative paths are taken from the
// configuration directory, since slab runs there.
func (l *loader) readVarFile(path string) {
	full := path
	if !filepath.IsAbs(full) {
		full = filepath.Join(l.cfg.Dir, path)
	}
	src, err := os.ReadFile(full)
	if err != nil {
		l.diags = append(l.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read variables file",
			Detail: fmt.Sprintf("%s. Check the -var-file path; relative paths are taken from %s.", err, l.cfg.Dir)})
		return
	}
	var f *hcl.File
	var diags hcl.Diagnostics
	if strings.HasSuffix(path, ".json") {
		f, diags = hcljson.Parse(src, path)
	} else {
		f, diags = hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	}
	l.diags = append(l.diags, diags...)
	if f == nil {
		return
	}
	l.cfg.Files[path] = f
	if diags.HasErrors() {
		return
	}
	attrs, diags := f.Body.JustAttributes()
	l.diags = append(l.diags, diags...)
	for _, a := range sortedHCLAttrs(attrs) {
		d := l.vars[a.Name]
		if d == nil {
			l.diags = append(l.diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Value for undeclared variable",
				Detail: fmt.Sprintf("The variables file sets %q, but the configuration declares no such variable, so the value is ignored.%s Declare variable %q { } or remove the line.",
					a.Name, didYouMean(a.Name, mapKeys(l.vars)), a.Name),
				Subject: a.NameRange.Ptr()})
			continue
		}
		v, vd := a.Expr.Value(nil)
		l.diags = append(l.diags, vd...)
		if vd.HasErrors() {
			d.failed = true
			continue
		}
		if !d.failed {
			d.set(v, a.Expr.Range().Ptr(), "var-file", fmt.Sprintf("the variables file %s", path))
		}
	}
}

func sortedHCLAttrs(attrs hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, name := range mapKeys(attrs) {
		out = append(out, attrs[name])
	}
	// Source order, so that messages follow the file.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Range.Start.Byte < out[j-1].Range.Start.Byte; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// finishVariable checks that a value was given and converts it to the
// declared type.
func (l *loader) finishVariable(d *variableDecl) {
	if d.failed {
		return
	}
	name := d.v.Name
	if d.val == cty.NilVal {
		l.diags = append(l.diags, newDiag(d.v.DeclRange, "No value for required variable", fmt.Sprintf(
			"The variable %q has no default, and no value was given. Set it with -var '%s=...', in a -var-file, with the %s%s environment variable, or give it a default.",
			name, name, EnvVarPrefix, name)))
		d.failed = true
		return
	}
	d.v.Source = d.valFrom
	v := d.val
	if d.defaults != nil {
		v = d.defaults.Apply(v)
	}
	cv, err := convert.Convert(v, d.v.Type)
	if err != nil {
		rng := d.v.DeclRange
		if d.valRng != nil {
			rng = *d.valRng
		}
		l.diags = append(l.diags, newDiag(rng, "Invalid value for variable", fmt.Sprintf(
			"The value of var.%s given by %s is not a %s: %s. Give a value of that type.",
			name, d.valDesc, typeexpr.TypeString(d.v.Type), convertMessage(err))))
		d.failed = true
		return
	}
	d.val = cv
}

// validateVariable runs the validation blocks of d. Conditions may use any
// variable and the functions, nothing else.
func (l *loader) validateVariable(d *variableDecl) {
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"var": l.varObj}, Functions: functions()}
	for _, vb := range d.block.Body.Blocks {
		if vb.Type != "validation" {
			continue
		}
		cond := vb.Body.Attributes["condition"]
		msgAttr := vb.Body.Attributes["error_message"]
		if cond == nil || msgAttr == nil {
			continue // reported by checkBody
		}
		bad := false
		for _, a := range []*hclsyntax.Attribute{cond, msgAttr} {
			for _, t := range a.Expr.Variables() {
				if t.RootName() != "var" {
					l.diags = append(l.diags, newDiag(t.SourceRange(), "Invalid reference in variable validation",
						"A validation rule can only use variables (var.NAME) and functions, since it runs before anything else is evaluated. Remove the reference."))
					bad = true
				}
			}
		}
		if bad {
			d.failed = true
			continue
		}
		ev := &attrEval{l: l, body: vb.Body, ctx: ctx, ok: true}
		v, attr, ok := ev.value("condition")
		if !ok {
			if ev.ok {
				ev.fail(attr.Expr.Range(), "Invalid validation condition", "The condition is null; it must be true or false.")
			}
			d.failed = true
			continue
		}
		if !v.IsKnown() {
			continue
		}
		bv, err := convert.Convert(v, cty.Bool)
		if err != nil {
			ev.fail(attr.Expr.Range(), "Invalid validation condition", fmt.Sprintf("The condition must be true or false: %s.", err))
			d.failed = true
			continue
		}
		if bv.True() {
			continue
		}
		msg := ev.str("error_message", "")
		if !ev.ok {
			d.failed = true
			continue
		}
		if ev.sensitive["error_message"] {
			msg = "(The error message refers to a sensitive value, so it is not shown.)"
		}
		l.diags = append(l.diags, newDiag(d.v.DeclRange, "Invalid value for variable", fmt.Sprintf(
			"%s\n\nThe value of var.%s, given by %s, fails the validation rule at %s. Give a value that satisfies it.",
			strings.TrimSpace(msg), d.v.Name, d.valDesc, pos(cond.Expr.Range()))))
		d.failed = true
	}
}

// scrubSecrets removes the text of sensitive variables' values from
// diagnostics: messages written by functions and conversions quote the
// values they failed on. Strings shorter than three characters are left,
// since replacing them would garble every message.
func (l *loader) scrubSecrets(diags hcl.Diagnostics) {
	var secrets []string
	for _, d := range l.varList {
		if !d.v.Sensitive || d.val == cty.NilVal {
			continue
		}
		cty.Walk(d.val, func(_ cty.Path, v cty.Value) (bool, error) {
			if v.IsKnown() && !v.IsNull() && v.Type() == cty.String && len(v.AsString()) >= 3 {
				secrets = append(secrets, v.AsString())
			}
			return true, nil
		})
	}
	if len(secrets) == 0 {
		return
	}
	for _, diag := range diags {
		for _, s := range secrets {
			diag.Summary = strings.ReplaceAll(diag.Summary, s, "(sensitive value)")
			diag.Detail = strings.ReplaceAll(diag.Detail, s, "(sensitive value)")
		}
	}
}
