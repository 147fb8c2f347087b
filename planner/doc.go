// Package planner turns desired state (the configuration) and recorded
// state (the catalog, refreshed against what the pools really hold) into a
// Plan, and applies plans.
//
// A Plan is plain data: every change with its action, reason, before and
// after attributes, placement and dependencies, plus the pools it needs and
// the stack's lineage and serial. It can be saved, reviewed and applied
// later; applying refuses a plan whose stack has moved since.
//
// Invariants:
//   - Make changes no recorded object and no volume or snapshot: it reads
//     pools and the record only (opening a pool may lay out its empty
//     directory, as a driver's setup does).
//   - Apply records every object the moment its driver call returns (one
//     transaction per step), runs at most Parallelism steps at once in
//     dependency order, and skips only the steps that depend on a failed
//     one.
//   - Placements are consumed within a plan: each scheduled volume reduces
//     its pool's capacity before the next is placed.
//
// The scheduler lives in planner/schedule.
package planner
