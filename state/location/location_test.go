package location

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	env := []string{"HOME=/root", "SLAB_STATE=/env/state.db"}
	tests := []struct {
		name, explicit, settings string
		environ                  []string
		want                     string
	}{
		{name: "an explicit location wins", explicit: "/flag.db", settings: "/block.db", environ: env, want: "/flag.db"},
		{name: "SLAB_STATE comes next", settings: "/block.db", environ: env, want: "/env/state.db"},
		{name: "an empty SLAB_STATE is unset", settings: "/block.db", environ: []string{"SLAB_STATE="}, want: "/block.db"},
		{name: "then the slab block", settings: "/block.db", want: "/block.db"},
		{name: "nothing set means the SQLite default", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Resolve(tt.explicit, tt.environ, tt.settings); got != tt.want {
				t.Fatalf("Resolve = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSQLitePathsAreRelativeToTheConfigurationDirectory(t *testing.T) {
	for loc, want := range map[string]string{
		"":                   "/cfg/.slab/state.db",
		"s.db":               "/cfg/s.db",
		"sqlite://sub/s.db":  "/cfg/sub/s.db",
		"/abs/s.db":          "/abs/s.db",
		"sqlite:///abs/s.db": "/abs/s.db",
	} {
		if got := SQLitePath("/cfg", loc); got != want {
			t.Errorf("SQLitePath(%q) = %q, want %q", loc, got, want)
		}
	}
}

func TestOpenMakesTheDefaultSQLiteStoreInTheDirectory(t *testing.T) {
	dir := t.TempDir()
	store, err := Open(context.Background(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := os.Stat(filepath.Join(dir, ".slab", "state.db")); err != nil {
		t.Fatal(err)
	}
	if got := Display(dir, "postgres://u:secret@h/db"); got == "" || strings.Contains(got, "secret") {
		t.Fatalf("Display shows %q", got)
	}
}
