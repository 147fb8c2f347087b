package postgres_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slab-storage/slab/state"
	"github.com/slab-storage/slab/state/postgres"
	"github.com/slab-storage/slab/state/postgres/pgtest"
)

// The child process is this test binary run again with TestChildProcess
// selected and its orders in the environment.
const (
	childMode  = "SLAB_PG_CHILD"     // "apply" or "lock"
	childDSN   = "SLAB_PG_CHILD_DSN" // the database
	childID    = "SLAB_PG_CHILD_ID"  // names the child's objects and lock
	childCount = "SLAB_PG_CHILD_N"   // Applies per writer goroutine
)

// TestChildProcess is not a test: it is the body of the child processes
// the tests below start. It reports on stdout, one line per fact.
func TestChildProcess(t *testing.T) {
	mode := os.Getenv(childMode)
	if mode == "" {
		t.Skip("helper process of the cross-process tests")
	}
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	ctx := context.Background()
	s, err := postgres.Open(ctx, os.Getenv(childDSN))
	if err != nil {
		fail(err)
	}
	id := os.Getenv(childID)
	switch mode {
	case "apply":
		n, _ := strconv.Atoi(os.Getenv(childCount))
		var wg sync.WaitGroup
		var mu sync.Mutex
		var serials []int64
		for w := range 4 { // several goroutines on the one pool, too
			wg.Go(func() {
				for i := range n {
					v := &state.Volume{ID: fmt.Sprintf("%s-%d-%d", id, w, i), Address: fmt.Sprintf("volume.%s[%d]", id, w*n+i), SizeGiB: 1}
					serial, err := s.Apply(ctx, "shared", state.Write{Put: v, Event: state.Event{Who: id}})
					if err != nil {
						fail(err)
					}
					mu.Lock()
					serials = append(serials, serial)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		for _, sn := range serials {
			fmt.Printf("serial %d\n", sn)
		}
	case "lock":
		l, err := s.LockWith(ctx, state.Lock{Stack: "shared", Who: id, Operation: "apply", Info: "pid " + strconv.Itoa(os.Getpid())}, 0)
		if err != nil {
			fail(err)
		}
		fmt.Printf("locked %s\n", l.ID)
		time.Sleep(time.Hour) // until killed
	}
	_ = s.Close()
	os.Exit(0)
}

// child starts a child process; its stdout lines arrive on the channel,
// which closes when the child exits.
func child(t *testing.T, mode, dsn, id string, n int) (*exec.Cmd, <-chan string, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), childMode+"="+mode, childDSN+"="+dsn, childID+"="+id, childCount+"="+strconv.Itoa(n))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &strings.Builder{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return cmd, lines, stderr
}

func TestTwoProcessesApplyingToOneStackSerialise(t *testing.T) {
	// Both children open the fresh database at once, so they also race
	// to migrate it.
	dsn := pgtest.DSN(t)
	const perWriter = 60 // × 4 goroutines × 2 processes
	var serials []int64
	type proc struct {
		cmd    *exec.Cmd
		lines  <-chan string
		stderr *strings.Builder
	}
	var procs []proc
	for _, id := range []string{"a", "b"} {
		cmd, lines, stderr := child(t, "apply", dsn, id, perWriter)
		procs = append(procs, proc{cmd, lines, stderr})
	}
	for _, p := range procs {
		for line := range p.lines {
			var sn int64
			if _, err := fmt.Sscanf(line, "serial %d", &sn); err == nil {
				serials = append(serials, sn)
			}
		}
		if err := p.cmd.Wait(); err != nil {
			t.Fatalf("child: %v\n%s", err, p.stderr)
		}
	}
	total := 2 * 4 * perWriter
	slices.Sort(serials)
	for i, sn := range serials {
		if sn != int64(i+1) {
			t.Fatalf("the children's serials are not 1..%d: at %d got %d", total, i, sn)
		}
	}
	if len(serials) != total {
		t.Fatalf("%d serials reported, want %d", len(serials), total)
	}
	s := openDSN(t, dsn)
	st := mustRead(t, s, "shared")
	evs, err := s.History(context.Background(), "shared", 0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Stack.Serial != int64(total) || len(evs) != total || len(st.Volumes) != total {
		t.Errorf("serial %d, %d history rows, %d volumes; want %d of each", st.Stack.Serial, len(evs), len(st.Volumes), total)
	}
	for i, e := range evs {
		if e.Serial != int64(i+1) {
			t.Fatalf("history row %d has serial %d: history order is not serial order", i, e.Serial)
		}
	}
}

func TestAKilledLockHolderLeavesTheLockUntilForceUnlock(t *testing.T) {
	dsn := pgtest.DSN(t)
	s := openDSN(t, dsn) // migrated before the child starts
	ctx := context.Background()
	cmd, lines, stderr := child(t, "lock", dsn, "doomed-ci", 0)
	var id string
	select {
	case line := <-lines:
		if _, err := fmt.Sscanf(line, "locked %s", &id); err != nil {
			t.Fatalf("child said %q (stderr %s)", line, stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the child took no lock: %s", stderr)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no Unlock, no Close
		t.Fatal(err)
	}
	_ = cmd.Wait()

	_, err := s.Lock(ctx, "shared", "operator", "apply", 200*time.Millisecond)
	le, ok := errors.AsType[*state.LockedError](err)
	if !ok {
		t.Fatalf("Lock after the holder died = %v, want a LockedError", err)
	}
	if le.Holder.ID != id || le.Holder.Who != "doomed-ci" || le.Holder.Info != fmt.Sprintf("pid %d", cmd.Process.Pid) {
		t.Errorf("holder = %+v, want the dead child's lock %s", le.Holder, id)
	}
	if err := s.ForceUnlock(ctx, "shared", id); err != nil {
		t.Fatalf("ForceUnlock: %v", err)
	}
	l, err := s.Lock(ctx, "shared", "operator", "apply", 0)
	if err != nil {
		t.Fatalf("Lock after ForceUnlock: %v", err)
	}
	if err := s.Unlock(ctx, "shared", l.ID); err != nil {
		t.Fatal(err)
	}
}
