package planner

import (
	"slices"
	"strings"

	"github.com/slab-storage/slab/providers"
)

// ReasonReplaceByTriggers is Terraform's action_reason for
// lifecycle.replace_triggered_by.
const ReasonReplaceByTriggers = "replace_by_triggers"

// replaceTriggered replaces every object whose replace_triggered_by names
// something the plan changes, and the snapshots of every replaced volume
// (cascadeReplacements). A replacement can trigger another, so it repeats
// until nothing new is replaced.
func (p *planner) replaceTriggered() {
	for changed := true; changed; {
		p.cascadeReplacements()
		changed = false
		for _, addr := range providers.SortedKeys(p.desired) {
			d := p.desired[addr]
			c := p.byAddr[addr]
			if c == nil || len(d.lifecycle.ReplaceTriggeredBy) == 0 || (c.Action != NoOp && c.Action != Update) {
				continue
			}
			for _, t := range d.lifecycle.ReplaceTriggeredBy {
				if why, ok := p.triggered(t); ok {
					p.replace(c, d, ReasonReplaceByTriggers, "replace_triggered_by: "+why)
					changed = true
					break
				}
			}
		}
	}
}

// triggered reports whether the plan changes what one trigger watches: an
// instance that is updated or replaced, or the named attribute of one.
func (p *planner) triggered(t string) (string, bool) {
	addr, attr := splitTrigger(t)
	c := p.byAddr[addr]
	if c == nil || c.ID == "" {
		return "", false // created, deleted or unknown: nothing to follow yet
	}
	switch {
	case c.Action == Replace || c.Action == CreateThenDelete:
		return addr + " is replaced", true
	case c.Action != Update:
		return "", false
	case attr == "":
		return addr + " is updated", true
	case slices.Contains(c.Changed, attr):
		return addr + "." + attr + " changes", true
	}
	return "", false
}

// splitTrigger separates "volume.db[\"a.b\"].size" into the instance and
// the attribute; keys may hold dots, so it looks only past the last "]".
func splitTrigger(t string) (addr, attr string) {
	tail := t
	offset := 0
	if i := strings.LastIndexByte(t, ']'); i >= 0 {
		tail, offset = t[i+1:], i+1
	}
	parts := strings.Split(tail, ".")
	// A block address has two parts (kind.name); a third is an attribute.
	if offset == 0 && len(parts) == 3 {
		return parts[0] + "." + parts[1], parts[2]
	}
	if offset > 0 && len(parts) == 2 {
		return t[:offset], parts[1]
	}
	return t, ""
}
