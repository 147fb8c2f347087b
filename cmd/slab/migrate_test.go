package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/slab-storage/slab/state"
	"github.com/slab-storage/slab/state/postgres/pgtest"
)

var migratedLine = regexp.MustCompile(`Migrated stack "([^"]+)": (\d+) objects?, (\d+) history events?, serial (\d+), checksum [0-9a-f]{12}…`)

// checkMigrated fails unless out reports stack migrated with the counts
// and serial of rec and hist.
func checkMigrated(t *testing.T, out, stack string, rec *state.State, hist []state.Event) {
	t.Helper()
	for _, m := range migratedLine.FindAllStringSubmatch(out, -1) {
		if m[1] != stack {
			continue
		}
		want := []string{strconv.Itoa(len(rec.Objects())), strconv.Itoa(len(hist)), strconv.FormatInt(rec.Stack.Serial, 10)}
		if diff := cmp.Diff(want, m[2:]); diff != "" {
			t.Errorf("summary of %s (-objects, events, serial +printed):\n%s", stack, diff)
		}
		return
	}
	t.Errorf("no summary line for stack %s in:\n%s", stack, out)
}

// checkSameState fails unless two stores record the same stack: objects
// of every kind, lineage, serial, and history but for seq.
func checkSameState(t *testing.T, what string, wantRec, gotRec *state.State, wantHist, gotHist []state.Event) {
	t.Helper()
	if diff := cmp.Diff(wantRec, gotRec); diff != "" {
		t.Errorf("%s: state (-source +copy):\n%s", what, diff)
	}
	if diff := cmp.Diff(wantHist, gotHist, cmpopts.IgnoreFields(state.Event{}, "Seq")); diff != "" {
		t.Errorf("%s: history (-source +copy):\n%s", what, diff)
	}
}

func TestStateMigrateMovesAStackToPostgresAndBack(t *testing.T) {
	dir := quickstart(t)
	mustSlab(t, dir, 0, "apply", "-auto-approve")
	// An update too, so that the history holds more than creates.
	editFile(t, filepath.Join(dir, "main.hcl"), "size        = 2", "size        = 4")
	mustSlab(t, dir, 0, "apply", "-auto-approve")
	rec, hist := readState(t, dir, "quickstart")
	if len(rec.Volumes) != 3 || len(rec.Snapshots) != 1 || len(rec.VolumeTypes) != 1 || len(rec.QoS) != 1 {
		t.Fatalf("quickstart recorded %d volumes, %d snapshots, %d types, %d QoS", len(rec.Volumes), len(rec.Snapshots), len(rec.VolumeTypes), len(rec.QoS))
	}

	dsn := pgtest.DSN(t)
	var outputs []result
	r := mustSlab(t, dir, 0, "state", "migrate", "-to", dsn)
	outputs = append(outputs, r)
	checkMigrated(t, r.stdout, "quickstart", rec, hist)
	pgRec, pgHist := readStateAt(t, dsn, "quickstart")
	checkSameState(t, "SQLite to PostgreSQL", rec, pgRec, hist, pgHist)

	// The copy is the stack: planning against it finds nothing to do.
	r = mustSlab(t, dir, 0, "plan", "-detailed-exitcode", "-state", dsn)
	outputs = append(outputs, r)
	if !strings.Contains(r.stdout, "No changes.") {
		t.Fatalf("plan against the copy:\n%s", r)
	}

	// Again: the target holds the stack now, so only -force overwrites it.
	r = mustSlab(t, dir, 1, "state", "migrate", "-to", dsn)
	outputs = append(outputs, r)
	for _, want := range []string{`Stack "quickstart" already holds state in postgres://`,
		strconv.Itoa(len(rec.Objects())) + " objects", "-force"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("second migrate does not say %q:\n%s", want, r)
		}
	}
	r = mustSlab(t, dir, 0, "state", "migrate", "-to", dsn, "-force")
	outputs = append(outputs, r)
	checkMigrated(t, r.stdout, "quickstart", rec, hist)

	// And back, from PostgreSQL to another SQLite file.
	r = mustSlab(t, dir, 0, "state", "migrate", "-state", dsn, "-to", "back.db")
	outputs = append(outputs, r)
	checkMigrated(t, r.stdout, "quickstart", rec, hist)
	backRec, backHist := readStateAt(t, filepath.Join(dir, "back.db"), "quickstart")
	checkSameState(t, "SQLite to PostgreSQL to SQLite", rec, backRec, hist, backHist)

	pw := dsnPassword(t, dsn)
	for _, r := range outputs {
		if strings.Contains(r.stdout+r.stderr, pw) {
			t.Errorf("the DSN's password was printed:\n%s", r)
		}
	}
}

func TestStateMigrateChoosesStacks(t *testing.T) {
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "state.db")
	env := stateEnv(src)
	dirs := map[string]string{"alpha": t.TempDir(), "beta": t.TempDir()}
	for stack, dir := range dirs {
		writeFile(t, dir, "main.hcl", volumesConfig(stack, 3, true))
		mustSlabEnv(t, dir, env, 0, "apply", "-auto-approve")
	}

	// By default the configuration's stack; -stack names another.
	dsn := pgtest.DSN(t)
	mustSlabEnv(t, dirs["alpha"], env, 0, "state", "migrate", "-to", dsn)
	r := mustSlabEnv(t, dirs["alpha"], env, 0, "state", "migrate", "-to", dsn, "-stack", "beta")
	rec, hist := readStateAt(t, src, "beta")
	checkMigrated(t, r.stdout, "beta", rec, hist)

	// -all copies every stack; a locked source stack stops it.
	all := pgtest.DSN(t)
	store := openAt(t, src)
	held, err := store.LockWith(ctx, state.Lock{Stack: "beta", Who: "the test", Operation: "apply"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	r = mustSlabEnv(t, dirs["alpha"], env, 1, "state", "migrate", "-to", all, "-all")
	if !strings.Contains(r.stderr, "Error acquiring the state lock") || !strings.Contains(r.stderr, "the test") {
		t.Fatalf("migrate of a locked stack:\n%s", r)
	}
	if err := store.Unlock(ctx, "beta", held.ID); err != nil {
		t.Fatal(err)
	}
	r = mustSlabEnv(t, dirs["alpha"], env, 0, "state", "migrate", "-to", all, "-all", "-force")
	for _, stack := range []string{"alpha", "beta"} {
		rec, hist := readStateAt(t, src, stack)
		checkMigrated(t, r.stdout, stack, rec, hist)
		gotRec, gotHist := readStateAt(t, all, stack)
		checkSameState(t, stack, rec, gotRec, hist, gotHist)
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no target", nil, "needs -to LOCATION"},
		{"both -stack and -all", []string{"-to", "x.db", "-stack", "a", "-all"}, "cannot be combined"},
		{"the source itself", []string{"-to", src}, "the same state store"},
		{"a stack the source lacks", []string{"-to", "x.db", "-stack", "gamma"}, `No stack "gamma"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := mustSlabEnv(t, dirs["alpha"], env, 1, append([]string{"state", "migrate"}, tc.args...)...)
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, r)
			}
		})
	}
}
