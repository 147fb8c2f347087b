// Command slab is the CLI: it parses flags (Terraform's style: -flag and
// --flag both work), wires the configuration loader, the state store, the
// pools and the planner together, and renders results through views.
// It holds no engine logic.
//
// Invariants: exit codes follow Terraform (0 success, 1 error, 2 changes
// with -detailed-exitcode, 3 unformatted files with fmt -check); the stack
// lock is held only while state may change and is released before output
// is written; sensitive values never reach standard output or error except
// through `slab output NAME`.
package main
