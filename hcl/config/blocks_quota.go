package config

import (
	"math"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Quota is a `quota` block: limits on what a stack (in the slab block) or
// the volumes of one type (in a volume_type block) may hold. A nil limit,
// or -1 as in Cinder, means unlimited.
type Quota struct {
	Volumes         *int64
	Gigabytes       *int64 // volume and snapshot sizes, as Cinder counts them
	Snapshots       *int64
	Backups         *int64
	BackupGigabytes *int64
	Range           hcl.Range
}

// QuotaNames are the limits a quota block accepts, in display order.
var QuotaNames = []string{"volumes", "gigabytes", "snapshots", "backups", "backup_gigabytes"}

// Limit returns the named limit, or nil when unlimited.
func (q *Quota) Limit(name string) *int64 {
	if q == nil {
		return nil
	}
	l := *q.field(name)
	if l != nil && *l < 0 {
		return nil
	}
	return l
}

var schemaQuota = &bodySchema{what: "a quota block", attrs: QuotaNames}

var quotaRule = wholeRule{lo: -1, hi: math.MaxInt32, summary: "Invalid quota",
	rule: "a whole number, 0 or more (-1 for unlimited)", example: "volumes = 20"}

// checkQuota checks a quota block's labels and arguments once, where its
// enclosing block is declared.
func (l *loader) checkQuota(b *hclsyntax.Block) bool {
	return l.checkLabels(b, 0) && l.checkBody(b.Body, schemaQuota, b.DefRange())
}

// quota reads the quota block nested in body, if any (checked already by
// checkQuota).
func (a *attrEval) quota(body *hclsyntax.Body) *Quota {
	for _, b := range body.Blocks {
		if b.Type != "quota" {
			continue
		}
		s := a.sub(b.Body)
		q := &Quota{Range: b.DefRange()}
		for _, name := range QuotaNames {
			if v, ok := s.whole(name, quotaRule); ok {
				*q.field(name) = &v
			}
		}
		a.ok = a.ok && s.ok
		return q
	}
	return nil
}

func (q *Quota) field(name string) **int64 {
	switch name {
	case "volumes":
		return &q.Volumes
	case "gigabytes":
		return &q.Gigabytes
	case "snapshots":
		return &q.Snapshots
	case "backups":
		return &q.Backups
	}
	return &q.BackupGigabytes
}
