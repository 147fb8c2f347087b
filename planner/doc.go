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
// Backups follow their own rules (backups.go), written as pure functions
// of the recorded backups and an injected time: an incremental chains to
// the newest available backup of the same volume in the same repository,
// and a grown volume gets a full backup with the reason noted; a policy
// takes a backup when its newest available one is at least `every` old,
// starts a new chain once the current one holds `keep` backups, and
// prunes beyond `keep` without ever deleting a backup that a remaining
// one chains to; deleting a backup is refused unless its dependents go in
// the same plan, and deletions are ordered dependents first
// (backups_plan.go applies them to plans). A policy's backups have
// addresses of their own, backup_policy.NAME["VOLUME@TIME"]. A volume's
// revert_to is checked as Cinder's revert: the latest snapshot, equal
// sizes (revert.go). Refresh also reads each repository that exists and
// holds backups: a backup whose manifest is gone is drift
// (backups_refresh.go); a missing or empty repository proves nothing and
// is never created by a plan.
//
// The scheduler lives in planner/schedule.
package planner
