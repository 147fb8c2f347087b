package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/slab-storage/slab/state/storetest"
)

func BenchmarkApply(b *testing.B) {
	storetest.BenchApply(b, openAt(b, filepath.Join(b.TempDir(), "state.db")))
}

func BenchmarkRead10k(b *testing.B) {
	storetest.BenchRead(b, openAt(b, filepath.Join(b.TempDir(), "state.db")), 10000)
}
