package planner

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/slab-storage/slab/hcl/config"
	"github.com/slab-storage/slab/providers"
)

// usage is what a quota counts, for one scope (the stack or one type).
type usage struct{ volumes, gigabytes, snapshots int64 }

func (u usage) of(name string) int64 {
	switch name {
	case "volumes":
		return u.volumes
	case "gigabytes":
		return u.gigabytes
	case "snapshots":
		return u.snapshots
	}
	return 0
}

// quotaScope is one set of limits and the usage it sees before and after
// the plan.
type quotaScope struct {
	what          string // `stack "prod"`, `volume_type.gold`
	quota         *config.Quota
	before, after usage
}

// checkQuotas fails the plan when it would take the stack, or the volumes
// of a type, beyond a quota. Usage is counted from the refreshed catalog
// (never a stored counter) and the plan's own changes; gigabytes count
// volumes and snapshots, as Cinder's do. A plan that does not add to an
// exceeded quota is not refused (the limit may have been lowered).
func (p *planner) checkQuotas(cfg *config.Config) {
	scopes := map[string]*quotaScope{}
	if q := cfg.Settings.Quota; q != nil {
		scopes[""] = &quotaScope{what: fmt.Sprintf("stack %q", p.refreshed.Stack.Name), quota: q}
	}
	for _, t := range cfg.VolumeTypes {
		if t.Quota != nil {
			scopes[t.Address] = &quotaScope{what: t.Address, quota: t.Quota}
		}
	}
	if len(scopes) == 0 {
		return
	}
	// scopesOf are the scopes an object of a type counts in.
	scopesOf := func(typeAddr string) []*quotaScope {
		var out []*quotaScope
		if s := scopes[""]; s != nil {
			out = append(out, s)
		}
		if s := scopes[typeAddr]; s != nil && typeAddr != "" {
			out = append(out, s)
		}
		return out
	}
	count := func(typeAddr string, add func(*usage)) {
		for _, s := range scopesOf(typeAddr) {
			add(&s.before)
			add(&s.after)
		}
	}
	volumeType := map[string]string{} // volume ID → type address
	for _, v := range p.refreshed.Volumes {
		t := p.addressOf(v.TypeID)
		volumeType[v.ID] = t
		count(t, func(u *usage) { u.volumes++; u.gigabytes += int64(v.SizeGiB) })
	}
	for _, s := range p.refreshed.Snapshots {
		count(volumeType[s.VolumeID], func(u *usage) { u.snapshots++; u.gigabytes += int64(s.SizeGiB) })
	}
	// The plan's changes move the "after" figures only.
	move := func(typeAddr string, sign int64, kind string, size int64) {
		for _, s := range scopesOf(typeAddr) {
			if kind == "volume" {
				s.after.volumes += sign
			} else {
				s.after.snapshots += sign
			}
			s.after.gigabytes += sign * size
		}
	}
	for _, c := range p.changes {
		if c.Kind != "volume" && c.Kind != "snapshot" {
			continue
		}
		if c.Deletes() || c.Action == Update {
			t, size := p.quotaFacts(c, c.Before)
			move(t, -1, c.Kind, size)
		}
		if c.Creates() || c.Action == Update {
			t, size := p.quotaFacts(c, c.After)
			move(t, +1, c.Kind, size)
		}
	}
	for _, key := range providers.SortedKeys(scopes) {
		s := scopes[key]
		for _, name := range []string{"volumes", "gigabytes", "snapshots"} {
			limit := s.quota.Limit(name)
			before, after := s.before.of(name), s.after.of(name)
			if limit == nil || after <= *limit || after <= before {
				continue
			}
			p.quotaExceeded(s.quota, s.what, name, before, after,
				"Raise the quota in this block, or change the plan so it needs less (smaller or fewer volumes or snapshots, or -target).")
		}
	}
}

// quotaFacts is the type address and size in GiB a change counts with, from
// one side of it (before or after). A new snapshot's size is its volume's.
func (p *planner) quotaFacts(c *Change, side map[string]any) (typeAddr string, size int64) {
	if c.Kind == "volume" {
		t, _ := side["type"].(string)
		n, _ := side["size"].(int64)
		return t, n
	}
	volAddr, _ := side["volume"].(string)
	n, known := side["size"].(int64)
	if vc := p.byAddr[volAddr]; vc != nil {
		attrs := vc.After
		if vc.Action == Delete {
			attrs = vc.Before
		}
		t, _ := attrs["type"].(string)
		if !known {
			n, _ = attrs["size"].(int64)
		}
		return t, n
	}
	return "", n
}

// quotaExceeded reports one quota the plan would exceed, with its limit,
// the usage, the request and what to do.
func (p *planner) quotaExceeded(q *config.Quota, what, name string, before, after int64, fix string) {
	rng := q.Range
	p.diags = append(p.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Subject: &rng,
		Summary: fmt.Sprintf("Quota exceeded: %s of %s", name, what),
		Detail: fmt.Sprintf("The %s quota of %s is %d; %d %s in use, and this plan asks for %d more (%d in all). %s",
			name, what, *q.Limit(name), before, unitOf(name), after-before, after, fix)})
}

func unitOf(name string) string {
	if strings.Contains(name, "gigabytes") {
		return "GiB are"
	}
	return "are"
}
