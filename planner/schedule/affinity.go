package schedule

import (
	"fmt"
	"strings"
)

// DifferentBackendFilter is Cinder's DifferentBackendFilter: with the hint
// different_backend, a pool holding any of the named volumes fails. Like
// Cinder's, it compares pools, not backends: another pool of the same
// backend passes.
type DifferentBackendFilter struct{}

func (DifferentBackendFilter) Name() string { return "DifferentBackendFilter" }

func (DifferentBackendFilter) Filter(p *PoolState, req *Request) (bool, string) {
	if held := heldHere(p, req.Hints.DifferentBackend); len(held) > 0 {
		return false, fmt.Sprintf("holds %s, and different_backend asks to stay apart", strings.Join(held, ", "))
	}
	return true, ""
}

// SameBackendFilter is Cinder's SameBackendFilter: with the hint
// same_backend, only a pool holding at least one of the named volumes
// passes.
type SameBackendFilter struct{}

func (SameBackendFilter) Name() string { return "SameBackendFilter" }

func (SameBackendFilter) Filter(p *PoolState, req *Request) (bool, string) {
	if len(req.Hints.SameBackend) == 0 || len(heldHere(p, req.Hints.SameBackend)) > 0 {
		return true, ""
	}
	return false, fmt.Sprintf("holds none of %s, and same_backend asks to be with them", strings.Join(req.Hints.SameBackend, ", "))
}

// heldHere returns the refs that live on the pool.
func heldHere(p *PoolState, refs []string) []string {
	if len(refs) == 0 {
		return nil
	}
	var out []string
	for _, ref := range refs {
		for _, v := range p.Volumes {
			if v == ref {
				out = append(out, ref)
				break
			}
		}
	}
	return out
}
