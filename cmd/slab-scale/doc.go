// Command slab-scale is the scale harness behind `make bench`: for each N
// it writes a configuration of N volumes on one file pool in a temporary
// directory and prints the wall time of `slab plan` (all creates), `slab
// apply` of that saved plan, and a no-op `slab plan` with refresh, each
// through the built binary.
package main
