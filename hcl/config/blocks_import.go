package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Import is an `import` block: adopt an object that already exists on a
// backend as the configured instance To.
type Import struct {
	To string // instance address, e.g. volume.db["a"]
	// ID is the object's slab ID on a pool, or "backend#pool/NAME" for a
	// file of that pool that slab does not manage yet.
	ID    string
	Range hcl.Range
}

var schemaImport = &bodySchema{what: "an import block", attrs: []string{"to", "id"}, required: []string{"to", "id"}}

// importable are the kinds an import block may target: those that exist
// on a backend.
var importable = map[string]bool{"volume": true, "snapshot": true}

const importHint = `Write it as import { to = volume.db["a"], id = "<slab volume ID, or backend#pool/FILE for a file slab does not manage yet>" }.`

func (l *loader) declImport(b *hclsyntax.Block) {
	r := b.DefRange()
	if !l.checkLabels(b, 0) || !l.checkBody(b.Body, schemaImport, r) {
		return
	}
	l.importBlocks = append(l.importBlocks, b)
}

// assembleImports resolves the import blocks once every instance exists.
func (l *loader) assembleImports() {
	seen := map[string]hcl.Range{}
	for _, b := range l.importBlocks {
		to, ok := l.importTarget(b.Body.Attributes["to"])
		if !ok {
			continue
		}
		if first, dup := seen[to]; dup {
			l.diags = append(l.diags, newDiag(b.Body.Attributes["to"].Expr.Range(), "Duplicate import",
				fmt.Sprintf("%s is imported by another import block too, at %s. An object is imported once; remove one of the blocks.", to, pos(first))))
			continue
		}
		seen[to] = b.DefRange()
		ev := &attrEval{l: l, body: b.Body, ctx: &hcl.EvalContext{Variables: map[string]cty.Value{"var": l.varObj}, Functions: functions()}, ok: true}
		v, attr, present := ev.value("id")
		if !present || !ev.known(v, attr) {
			continue
		}
		sv, err := convert.Convert(v, cty.String)
		if err != nil || sv.AsString() == "" {
			ev.fail(attr.Expr.Range(), "Invalid import id", "id must be a non-empty string. "+importHint)
			continue
		}
		l.cfg.Imports = append(l.cfg.Imports, &Import{To: to, ID: sv.AsString(), Range: b.DefRange()})
	}
}

// importTarget reads `to`: a static reference to one configured instance
// of an importable kind.
func (l *loader) importTarget(a *hclsyntax.Attribute) (string, bool) {
	t, d := hcl.AbsTraversalForExpr(a.Expr)
	if d.HasErrors() {
		l.diags = append(l.diags, newDiag(a.Expr.Range(), "Invalid import target", "to must name a volume or snapshot instance. "+importHint))
		return "", false
	}
	kind := t.RootName()
	name, isAttr := traversalStep(t, 1).(hcl.TraverseAttr)
	idx, isIndex := traversalStep(t, 2).(hcl.TraverseIndex)
	if !isAttr || len(t) > 3 || (len(t) == 3 && !isIndex) {
		l.diags = append(l.diags, newDiag(a.Expr.Range(), "Invalid import target", fmt.Sprintf("%s is not an instance address. %s", traversalText(t), importHint)))
		return "", false
	}
	if !importable[kind] {
		l.diags = append(l.diags, newDiag(a.Expr.Range(), "Invalid import target",
			fmt.Sprintf("%s objects live only in slab's catalog, so there is nothing on a backend to import; declare the block and let slab create it. Only volumes and snapshots can be imported.", kind)))
		return "", false
	}
	block := kind + "." + name.Name
	n := l.blocks[block]
	if n == nil {
		l.diags = append(l.diags, newDiag(a.Expr.Range(), "Import target not in the configuration",
			fmt.Sprintf("No %s block is named %q. Declare the block the object should become, then import into it.", kind, name.Name)))
		return "", false
	}
	key := cty.NilVal
	if isIndex {
		key = idx.Key
	}
	addr := block
	if key != cty.NilVal {
		if k, ok := normalizeKey(n, key); ok {
			addr = instanceAddr(block, k)
		}
	}
	if l.instances[addr] == nil {
		detail := fmt.Sprintf("%s has no instance %s.", block, traversalText(t))
		if n.mode != modeSingle && key == cty.NilVal {
			detail = fmt.Sprintf("%s has count or for_each: import into one instance, for example %s[0] or %s[\"key\"].", block, block, block)
		}
		l.diags = append(l.diags, newDiag(a.Expr.Range(), "Import target not in the configuration", detail))
		return "", false
	}
	return addr, true
}
