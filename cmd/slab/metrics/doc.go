// Package metrics owns the Prometheus collectors of slab reconcile and the
// HTTP endpoint that serves them.
//
// Invariants:
//   - Collectors live in a private registry, so /metrics carries slab's
//     series and the Go runtime's, nothing registered elsewhere by accident.
//   - Every series is set from what one reconcile run observed; nothing is
//     read back from the state store, so a scrape never takes a lock.
//   - A pool's capacity series exist only for pools the last successful
//     read reported; a pool removed from the configuration disappears.
package metrics
