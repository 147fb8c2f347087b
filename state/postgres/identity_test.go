package postgres

import (
	"strings"
	"testing"
)

func TestIdentityIgnoresSpellingAndPasswords(t *testing.T) {
	same := []string{
		"postgres://slab:one@db/inventory",
		"postgresql://slab:two@db:5432/inventory?sslmode=disable",
		"host=db user=slab password=three dbname=inventory",
		"host=db port=5432 user=slab dbname='inventory'",
	}
	want := Identity(same[0])
	for _, dsn := range same {
		got := Identity(dsn)
		if got != want {
			t.Errorf("Identity(%q) = %q, want %q", dsn, got, want)
		}
		if strings.Contains(got, "one") || strings.Contains(got, "two") || strings.Contains(got, "three") {
			t.Errorf("Identity(%q) = %q keeps the password", dsn, got)
		}
	}
	for _, other := range []string{"postgres://slab@db/other", "postgres://slab@db:5433/inventory", "postgres://ops@db/inventory", "postgres://slab@db2/inventory"} {
		if Identity(other) == want {
			t.Errorf("Identity(%q) equals %q: another database", other, want)
		}
	}
}
