package provider

import (
	"testing"

	"github.com/slab-storage/slab/state/postgres/pgtest"
)

// TestMain stops the throwaway PostgreSQL server the shared-store tests
// start.
func TestMain(m *testing.M) { pgtest.Main(m) }
