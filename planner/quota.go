package planner

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/slab-storage/slab/hcl/config"
	"github.com/slab-storage/slab/providers"
)

// quotaScope is one set of limits (the stack's, or one volume type's) and
// the usage it sees before and after the plan, by quota name.
type quotaScope struct {
	what          string // `stack "prod"`, `volume_type.gold`
	quota         *config.Quota
	before, after map[string]int64
}

// quotaScopes are the configured scopes by key: "" for the stack, a type's
// address for a type.
type quotaScopes map[string]*quotaScope

// in returns the scopes an object of a type counts in.
func (qs quotaScopes) in(typeAddr string) []*quotaScope {
	var out []*quotaScope
	if s := qs[""]; s != nil {
		out = append(out, s)
	}
	if s := qs[typeAddr]; s != nil && typeAddr != "" {
		out = append(out, s)
	}
	return out
}

// count adds n to a quota's usage in the scopes of a type: to the usage
// before the plan too when recorded is set (the object is in the catalog).
func (qs quotaScopes) count(typeAddr, name string, n int64, recorded bool) {
	for _, s := range qs.in(typeAddr) {
		if recorded {
			s.before[name] += n
		}
		s.after[name] += n
	}
}

// quotaFixes say what to do about an exceeded quota, by quota name.
var quotaFixes = map[string]string{
	"backups":          "Raise the quota in this block, lower a backup_policy's keep, or delete backups.",
	"backup_gigabytes": "Raise the quota in this block, lower a backup_policy's keep, or delete backups.",
}

const defaultQuotaFix = "Raise the quota in this block, or change the plan so it needs less (smaller or fewer volumes or snapshots, or -target)."

// checkQuotas fails the plan when it would take the stack, or the volumes
// of a type, beyond a quota. Usage is counted from the refreshed catalog
// (never a stored counter) and the plan's own changes; gigabytes count
// volumes and snapshots, as Cinder's do. A plan that does not add to an
// exceeded quota is not refused (the limit may have been lowered).
func (p *planner) checkQuotas(cfg *config.Config) {
	scopes := quotaScopes{}
	add := func(key, what string, q *config.Quota) {
		if q != nil {
			scopes[key] = &quotaScope{what: what, quota: q, before: map[string]int64{}, after: map[string]int64{}}
		}
	}
	add("", fmt.Sprintf("stack %q", p.refreshed.Stack.Name), cfg.Settings.Quota)
	for _, t := range cfg.VolumeTypes {
		add(t.Address, t.Address, t.Quota)
	}
	if len(scopes) == 0 {
		return
	}
	p.countVolumeUsage(scopes)
	p.countBackupUsage(scopes)
	for _, key := range providers.SortedKeys(scopes) {
		s := scopes[key]
		for _, name := range config.QuotaNames {
			limit := s.quota.Limit(name)
			before, after := s.before[name], s.after[name]
			if limit == nil || after <= *limit || after <= before {
				continue
			}
			fix := quotaFixes[name]
			if fix == "" {
				fix = defaultQuotaFix
			}
			p.quotaExceeded(s.quota, s.what, name, before, after, fix)
		}
	}
}

// countVolumeUsage counts volumes, snapshots and their gigabytes.
func (p *planner) countVolumeUsage(scopes quotaScopes) {
	volumeType := map[string]string{} // volume ID → type address
	for _, v := range p.refreshed.Volumes {
		t := p.addressOf(v.TypeID)
		volumeType[v.ID] = t
		scopes.count(t, "volumes", 1, true)
		scopes.count(t, "gigabytes", int64(v.SizeGiB), true)
	}
	for _, s := range p.refreshed.Snapshots {
		t := volumeType[s.VolumeID]
		scopes.count(t, "snapshots", 1, true)
		scopes.count(t, "gigabytes", int64(s.SizeGiB), true)
	}
	// The plan's changes move the "after" figures only.
	move := func(c *Change, side map[string]any, sign int64) {
		t, size := p.quotaFacts(c, side)
		scopes.count(t, c.Kind+"s", sign, false)
		scopes.count(t, "gigabytes", sign*size, false)
	}
	for _, c := range p.changes {
		if c.Kind != "volume" && c.Kind != "snapshot" {
			continue
		}
		if c.Deletes() || c.Action == Update {
			move(c, c.Before, -1)
		}
		if c.Creates() || c.Action == Update {
			move(c, c.After, +1)
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
