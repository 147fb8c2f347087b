package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/slab-storage/slab/state"
	"github.com/slab-storage/slab/state/sqlite"
	"github.com/slab-storage/slab/state/storetest"
)

// openAt opens the store at path and closes it when the test ends.
func openAt(t testing.TB, path string) state.Store {
	t.Helper()
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (state.Store, func() state.Store) {
		path := filepath.Join(t.TempDir(), ".slab", "state.db")
		return openAt(t, path), func() state.Store { return openAt(t, path) }
	})
}
