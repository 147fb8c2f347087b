// Command slab-scale is the scale harness behind `make bench`: for each N
// it writes a configuration of N volumes on one file pool in a temporary
// directory and prints the wall time of `slab plan` (all creates), `slab
// apply` of that saved plan, and a no-op `slab plan` with refresh, each
// through the built binary, and the number of state writes the apply made
// (the stack's serial grows by one per write).
//
// The state is the SQLite default in each temporary directory, the store
// named by -state (passed through to slab), or, with -postgres, a
// throwaway PostgreSQL server started for the run (package pgserver, as
// the tests use), one database per N. Each N has its own stack, scale-N,
// so that runs can share one store.
package main
