package planner

import "github.com/slab-storage/slab/providers"

// holdsData are the kinds whose objects keep user data on a backend.
var holdsData = map[string]bool{"volume": true, "snapshot": true}

// markDataLoss flags the deletes and replacements that destroy data, so
// views can say so and a non-interactive apply can insist on consent. An
// object whose create failed (or never reached its backend) holds nothing.
func markDataLoss(changes []*Change) {
	for _, c := range changes {
		if !holdsData[c.Kind] || !c.Deletes() || c.ID == "" {
			continue
		}
		switch status, _ := c.Before["status"].(string); status {
		case providers.StatusError, providers.StatusCreating:
		default:
			c.DestroysData = true
		}
	}
}
