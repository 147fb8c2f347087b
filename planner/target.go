package planner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// keepTargeted narrows the plan to the -target addresses and what they
// need: the changes they depend on (transitively) and, for a targeted
// object that is deleted or replaced, the recorded objects that depend on
// it, which must go first. Nothing else is planned, placed or applied.
func (p *planner) keepTargeted() {
	if len(p.opts.Targets) == 0 {
		return
	}
	keep := map[*Change]bool{}
	var queue []*Change
	want := func(c *Change) {
		if !keep[c] {
			keep[c] = true
			queue = append(queue, c)
		}
	}
	for _, t := range p.opts.Targets {
		matched := false
		for _, c := range p.changes {
			if targets(t, c.Address) {
				want(c)
				matched = true
			}
		}
		if !matched {
			p.diags = append(p.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Nothing to target at " + t,
				Detail: fmt.Sprintf("-target=%s names no configured or recorded object. Check the address with slab state list; a block address such as volume.db targets all its instances.", t)})
		}
	}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		for _, addr := range c.DependsOn {
			if dep := p.byAddr[addr]; dep != nil {
				want(dep)
			}
		}
		if !c.Deletes() {
			continue
		}
		for _, other := range p.changes {
			if other.Deletes() && slices.Contains(other.OldDependsOn, c.Address) {
				want(other)
			}
		}
	}
	kept := p.changes[:0]
	for _, c := range p.changes {
		if keep[c] {
			kept = append(kept, c)
		}
	}
	p.changes = kept
	p.diags = append(p.diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Resource targeting is in effect",
		Detail: "This plan covers only the targeted objects and what they depend on, so it may not show every change the configuration calls for. " +
			"Use -target for exceptional cases such as recovering from mistakes, not routinely; run a plan without -target afterwards to converge."})
}

// targets reports whether a -target address selects an object address: the
// same instance, or every instance of a block.
func targets(target, address string) bool {
	return address == target || (strings.HasPrefix(address, target) && strings.HasPrefix(address[len(target):], "["))
}
