// Package schedule places volumes on pools the way Cinder's filter
// scheduler does: every candidate pool goes through single-method filters
// (all must pass), survivors are scored by weighers, each weigher's scores
// are normalised to [0,1] and summed with its multiplier, and the highest
// total wins, ties broken by pool name.
//
// Invariants:
//   - Every rejection records its filter and reason and every survivor its
//     per-weigher scores, so a placement can always be explained; "no valid
//     pool" always comes with the reason for each pool.
//   - Capacity arithmetic follows Cinder's CapacityFilter/CapacityWeigher
//     (reserved percentage, thin over-subscription, thick free space).
//   - Place is pure: it reads pool states and never changes them; the
//     caller consumes capacity once a placement is final.
package schedule
