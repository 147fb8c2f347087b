package planner

import "github.com/slab-storage/slab/providers"

// holdsData are the kinds whose objects keep user data on a backend.
var holdsData = map[string]bool{"volume": true, "snapshot": true, "backup": true}

// markDataLoss flags the deletes and replacements that destroy data, so
// views can say so and a non-interactive apply can insist on consent. An
// object whose create failed (or never reached its backend) holds nothing.
func markDataLoss(changes []*Change) {
	for _, c := range changes {
		// A policy pruning beyond keep is what its configuration asks for.
		if !holdsData[c.Kind] || !c.Deletes() || c.ID == "" || c.Reason == ReasonPruned {
			continue
		}
		switch status, _ := c.Before["status"].(string); status {
		case providers.StatusError, providers.StatusCreating:
		default:
			c.DestroysData = true
		}
	}
}
