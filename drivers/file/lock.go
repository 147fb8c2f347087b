//go:build linux

package file

import (
	"slices"
	"sync"
)

// keyedMutex serializes operations per object key while letting operations
// on different keys run in parallel. Entries are reference-counted so the
// map only holds keys that are in use.
type keyedMutex struct {
	mu sync.Mutex
	m  map[string]*keyEntry
}

type keyEntry struct {
	mu   sync.Mutex
	refs int
}

// Key spaces: volume and snapshot IDs are separate namespaces.
func volKey(id string) string  { return "v:" + id }
func snapKey(id string) string { return "s:" + id }

// lock takes the locks of all keys in sorted order (so two callers never
// wait on each other in opposite orders) and returns the unlock function.
// A caller that already holds some keys may take more only if every new key
// sorts after those it holds; "s:" keys sort before "v:" keys.
func (k *keyedMutex) lock(keys ...string) (unlock func()) {
	keys = slices.Clone(keys)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	entries := make([]*keyEntry, len(keys))
	k.mu.Lock()
	if k.m == nil {
		k.m = make(map[string]*keyEntry)
	}
	for i, key := range keys {
		e := k.m[key]
		if e == nil {
			e = &keyEntry{}
			k.m[key] = e
		}
		e.refs++
		entries[i] = e
	}
	k.mu.Unlock()
	for _, e := range entries {
		e.mu.Lock()
	}
	return func() {
		for i := len(entries) - 1; i >= 0; i-- {
			entries[i].mu.Unlock()
		}
		k.mu.Lock()
		for i, key := range keys {
			if entries[i].refs--; entries[i].refs == 0 {
				delete(k.m, key)
			}
		}
		k.mu.Unlock()
	}
}
