// Package views renders plans, apply progress, state and outputs for
// people (Terraform-style text) and for machines (JSON shaped like
// `terraform show -json`, and JSON lines during apply). It holds no engine
// logic: everything it prints comes from planner and state data.
//
// Invariant: attributes marked sensitive in a kind's schema are never
// printed, in either format.
package views
