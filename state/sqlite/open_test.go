package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/slab-storage/slab/state"
	"github.com/slab-storage/slab/state/sqlite"
)

// rawDB opens the file with the bare driver, to look at what the store
// wrote without going through it.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

func TestOpenCreatesPrivateFiles(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, path string)
	}{
		{"a missing parent directory is created 0700 and the file 0600", func(*testing.T, string) {}},
		{"an existing file readable by others is narrowed to 0600", func(t *testing.T, path string) {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, 0o666); err != nil { // past the umask
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "deep", ".slab")
			path := filepath.Join(dir, "state.db")
			tc.setup(t, path)
			s := openAt(t, path)
			if _, err := s.Apply(context.Background(), "main", state.Write{Put: &state.Volume{ID: "v"}}); err != nil {
				t.Fatal(err)
			}
			if got := mode(t, path); got != 0o600 {
				t.Errorf("file mode = %o, want 600", got)
			}
			if got := mode(t, path+"-wal"); got != 0o600 {
				t.Errorf("WAL file mode = %o, want 600", got)
			}
			if fresh := !strings.Contains(tc.name, "existing"); fresh {
				if got := mode(t, dir); got != 0o700 {
					t.Errorf("directory mode = %o, want 700", got)
				}
			}
		})
	}
}

func TestReopenKeepsDataAndMigratesOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	v := &state.Volume{ID: "v1", Address: "volume.a", SizeGiB: 3, Metadata: map[string]string{"k": "v"}}
	if _, err := s.Apply(ctx, "main", state.Write{Put: v}); err != nil {
		t.Fatal(err)
	}
	before, err := s.Read(ctx, "main")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	type applied struct{ Version, AppliedAt string }
	migrations := func() []applied {
		rows, err := rawDB(t, path).Query(`SELECT version, applied_at FROM schema_migrations ORDER BY version`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []applied
		for rows.Next() {
			var a applied
			if err := rows.Scan(&a.Version, &a.AppliedAt); err != nil {
				t.Fatal(err)
			}
			out = append(out, a)
		}
		return out
	}
	first := migrations()

	for range 3 {
		s := openAt(t, path)
		after, err := s.Read(ctx, "main")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("state after reopen (-before +after):\n%s", diff)
		}
		_ = s.Close()
	}
	if diff := cmp.Diff(first, migrations()); diff != "" || len(first) == 0 {
		t.Errorf("schema_migrations changed on reopen (-first +now):\n%s", diff)
	}
}

func TestOpenRefuses(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setup   func(t *testing.T, path string)
		wantErr []string
	}{
		{"a text file is not a SQLite database", func(t *testing.T, path string) {
			text := strings.Repeat("this is a text file, not a database\n", 200)
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
		}, []string{"not a SQLite database"}},
		{"a short text file is not a SQLite database", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte("hello\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, []string{"not a SQLite database"}},
		{"a directory is not a database file", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
		}, []string{"is a directory"}},
		{"a schema newer than this slab asks for an upgrade", func(t *testing.T, path string) {
			s, err := sqlite.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			_ = s.Close()
			if _, err := rawDB(t, path).Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (7, 'x')`); err != nil {
				t.Fatal(err)
			}
		}, []string{"state store schema version 7 is newer than this slab (1); upgrade slab"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			tc.setup(t, path)
			before, _ := os.ReadFile(path)
			s, err := sqlite.Open(path)
			if err == nil {
				_ = s.Close()
				t.Fatal("Open succeeded")
			}
			for _, want := range append(tc.wantErr, path) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Error("a refused Open changed the file")
			}
		})
	}

	t.Run("an empty path is refused", func(t *testing.T) {
		if _, err := sqlite.Open(""); err == nil {
			t.Error("Open(\"\") succeeded")
		}
	})
}

func TestOpenPathWithURICharacters(t *testing.T) {
	// '?', '#' and '%' mean something in a file: URI.
	path := filepath.Join(t.TempDir(), "a?b#c%20d e", "state.db")
	s := openAt(t, path)
	if _, err := s.Apply(context.Background(), "main", state.Write{Put: &state.Volume{ID: "v"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at the given path: %v", err)
	}
}

func TestClosedStore(t *testing.T) {
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for name, call := range map[string]func() error{
		"Read":  func() error { _, err := s.Read(ctx, "main"); return err },
		"Apply": func() error { _, err := s.Apply(ctx, "main", state.Write{Put: &state.Volume{ID: "v"}}); return err },
		"Lock":  func() error { _, err := s.Lock(ctx, "main", "me", "apply", 0); return err },
		"Close": func() error { return s.Close() },
	} {
		t.Run(name+" after Close does not panic", func(t *testing.T) {
			err := call()
			if name == "Close" && err != nil {
				t.Errorf("second Close = %v, want nil", err)
			}
			if name != "Close" && err == nil {
				t.Errorf("%s after Close succeeded", name)
			}
		})
	}
}

func TestOpeningAFreshFileAtOnceSucceedsEverywhere(t *testing.T) {
	// Each round races several opens of a new file: switching it to WAL
	// needs its exclusive lock, which SQLite refuses at once, without
	// waiting, to all but one of them.
	for round := range 50 {
		path := filepath.Join(t.TempDir(), "state.db")
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				s, err := sqlite.Open(path)
				if err == nil {
					err = s.Close()
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, open %d: %v", round, i, err)
			}
		}
	}
}
