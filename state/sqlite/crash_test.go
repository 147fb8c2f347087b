package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slab-storage/slab/state"
	"github.com/slab-storage/slab/state/sqlite"
)

const crashEnv = "SLAB_STATE_CRASH_CHILD"

// TestCrashChild is the child process of TestApplySurvivesSIGKILL: it
// records volumes until it is killed, printing each serial only after its
// Apply has returned.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("helper process for TestApplySurvivesSIGKILL")
	}
	s, err := sqlite.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	start, err := s.Stack(context.Background(), "crash")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	for i := start.Serial; i < start.Serial+100000; i++ { // bounded if never killed
		v := &state.Volume{ID: fmt.Sprintf("vol-%06d", i), Address: fmt.Sprintf("volume.v[%d]", i),
			SizeGiB: 1, Metadata: map[string]string{"i": strconv.FormatInt(i, 10)}}
		serial, err := s.Apply(context.Background(), "crash", state.Write{Put: v})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		// os.Stdout is unbuffered: the line is in the pipe when Fprintf returns.
		fmt.Fprintf(os.Stdout, "applied %d %s\n", serial, v.ID)
	}
	os.Exit(4)
}

func TestApplySurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	path := filepath.Join(t.TempDir(), "state.db")
	acked := map[int64]string{} // serial → volume ID, over every round

	// Several rounds on the same file: each child continues where the
	// last killed one stopped, and each is killed at a different point of
	// its Apply (the delays land the kill in or between transactions).
	for round, kill := range []struct {
		after int
		delay time.Duration
	}{{150, 0}, {40, 150 * time.Microsecond}, {300, 400 * time.Microsecond}, {80, 2 * time.Millisecond}} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+path)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		seen := 0
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var serial int64
			var id string
			if _, err := fmt.Sscanf(sc.Text(), "applied %d %s", &serial, &id); err != nil {
				continue // test framework chatter
			}
			acked[serial] = id
			if seen++; seen == kill.after {
				time.Sleep(kill.delay)
				_ = cmd.Process.Kill() // SIGKILL; lines already in the pipe are still read
			}
		}
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(interface{ Signaled() bool }); !ok || !ws.Signaled() {
			t.Fatalf("round %d: child was not killed (err %v, stderr %s)", round, err, stderr.String())
		}
		checkConsistent(t, path, acked)
	}
}

// checkConsistent reopens the store and checks that every acknowledged
// Apply is there and that serial, history and objects agree.
func checkConsistent(t *testing.T, path string, acked map[int64]string) {
	t.Helper()
	ctx := context.Background()
	s := openAt(t, path)
	st, err := s.Read(ctx, "crash")
	if err != nil {
		t.Fatal(err)
	}
	evs, err := s.History(ctx, "crash", 0)
	if err != nil {
		t.Fatal(err)
	}
	serial := st.Stack.Serial
	if int64(len(evs)) != serial || int64(len(st.Volumes)) != serial {
		t.Fatalf("serial %d, %d history events, %d volumes: want all equal", serial, len(evs), len(st.Volumes))
	}
	ids := map[string]bool{}
	for _, v := range st.Volumes {
		ids[v.ID] = true
	}
	for n, ev := range evs {
		if ev.Serial != int64(n+1) || !ids[ev.ObjectID] {
			t.Fatalf("event %d: serial %d object %s: want serial %d and the object present", n, ev.Serial, ev.ObjectID, n+1)
		}
	}
	for sn, id := range acked {
		if sn > serial || !ids[id] {
			t.Errorf("acknowledged serial %d (%s) lost: store is at serial %d", sn, id, serial)
		}
	}
	var check string
	if err := rawDB(t, path).QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check = %q, %v", check, err)
	}
	t.Logf("serial %d, %d acknowledged", serial, len(acked))
	_ = s.Close()
}
