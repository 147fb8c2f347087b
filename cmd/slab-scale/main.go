package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/slab-storage/slab/state"
	"github.com/slab-storage/slab/state/postgres"
	"github.com/slab-storage/slab/state/postgres/pgserver"
	"github.com/slab-storage/slab/state/sqlite"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "slab-scale:", err)
		os.Exit(1)
	}
}

func run() error {
	slab := flag.String("slab", "bin/slab", "the slab binary to measure")
	sizes := flag.String("n", "1000,10000", "comma-separated volume counts")
	parallelism := flag.Int("parallelism", 10, "apply -parallelism")
	keep := flag.Bool("keep", false, "keep the temporary directories")
	stateLoc := flag.String("state", "", "the state store slab uses (its -state): a SQLite path or postgres://…; default: SQLite in each temporary directory")
	withPostgres := flag.Bool("postgres", false, "start a throwaway PostgreSQL server and keep the state there (one database per N)")
	flag.Parse()
	bin, err := filepath.Abs(*slab)
	if err != nil {
		return err
	}
	var ns []int
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("bad -n entry %q", s)
		}
		ns = append(ns, n)
	}
	if *withPostgres && *stateLoc != "" {
		return errors.New("-state and -postgres cannot be combined")
	}
	// A relative SQLite path means the caller's directory, not the
	// temporary one slab runs in.
	if *stateLoc != "" && !postgres.IsDSN(*stateLoc) {
		if *stateLoc, err = filepath.Abs(*stateLoc); err != nil {
			return err
		}
	}
	locate := func(n int) (string, error) { return *stateLoc, nil }
	store := "sqlite"
	if *stateLoc != "" && postgres.IsDSN(*stateLoc) {
		store = "postgres"
	}
	if *withPostgres {
		srv, admin, err := startPostgres()
		if err != nil {
			return err
		}
		defer func() { _ = admin.Close(); _ = srv.Stop() }()
		store = "postgres"
		locate = func(n int) (string, error) {
			name := fmt.Sprintf("slab_scale_%d", n)
			return srv.DSN(name), pgserver.CreateDatabase(context.Background(), admin, name)
		}
	}

	fmt.Printf("%-8s %-9s %12s %12s %13s %14s %16s\n", "volumes", "store", "plan", "apply", "state writes", "no-op plan", "apply per volume")
	for _, n := range ns {
		loc, err := locate(n)
		if err != nil {
			return fmt.Errorf("N=%d: %w", n, err)
		}
		r, err := measure(bin, n, *parallelism, loc, *keep)
		if err != nil {
			return fmt.Errorf("N=%d: %w", n, err)
		}
		fmt.Printf("%-8d %-9s %12s %12s %13d %14s %16s\n", n, store, r.plan.Round(time.Millisecond), r.apply.Round(time.Millisecond),
			r.writes, r.noop.Round(time.Millisecond), (r.apply / time.Duration(n)).Round(time.Microsecond))
	}
	return nil
}

// startPostgres starts a throwaway server and connects to its maintenance
// database to create the per-N databases.
func startPostgres() (*pgserver.Server, *sql.DB, error) {
	srv, err := pgserver.Start()
	if err != nil {
		return nil, nil, err
	}
	admin, err := sql.Open("postgres", srv.DSN("postgres"))
	if err != nil {
		_ = srv.Stop()
		return nil, nil, err
	}
	return srv, admin, nil
}

type result struct {
	plan, apply, noop time.Duration
	writes            int64 // state writes of the apply: one serial bump each
}

// measure times plan, apply of the saved plan and a no-op plan of n
// volumes in stack scale-N of the store at loc ("" for SQLite in the
// temporary directory), and counts the apply's state writes.
func measure(bin string, n, parallelism int, loc string, keep bool) (result, error) {
	var r result
	dir, err := os.MkdirTemp("", "slab-scale-")
	if err != nil {
		return r, err
	}
	if !keep {
		defer os.RemoveAll(dir)
	}
	stack := fmt.Sprintf("scale-%d", n)
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), config(stack, n), 0o644); err != nil {
		return r, err
	}
	var stateArgs []string
	if loc != "" {
		stateArgs = []string{"-state", loc}
	}
	if r.plan, err = timed(bin, dir, 0, append([]string{"plan", "-out", "plan.bin"}, stateArgs...)...); err != nil {
		return r, err
	}
	before, err := serial(dir, loc, stack)
	if err != nil {
		return r, err
	}
	if r.apply, err = timed(bin, dir, 0, append([]string{"apply", "-parallelism", strconv.Itoa(parallelism)}, append(stateArgs, "plan.bin")...)...); err != nil {
		return r, err
	}
	after, err := serial(dir, loc, stack)
	if err != nil {
		return r, err
	}
	r.writes = after - before
	if r.noop, err = timed(bin, dir, 0, append([]string{"plan", "-detailed-exitcode"}, stateArgs...)...); err != nil {
		return r, err
	}
	return r, nil
}

// serial reads the stack's serial, which every state write bumps by one.
func serial(dir, loc, stack string) (int64, error) {
	var s state.Store
	var err error
	switch {
	case loc == "":
		s, err = sqlite.Open(filepath.Join(dir, ".slab", "state.db"))
	case postgres.IsDSN(loc):
		s, err = postgres.Open(context.Background(), loc)
	default:
		s, err = sqlite.Open(loc)
	}
	if err != nil {
		return 0, err
	}
	defer s.Close()
	st, err := s.Stack(context.Background(), stack)
	return st.Serial, err
}

// config is N one-GiB volumes on one thin pool with room to spare, in
// their own stack, so that runs for several N can share one store.
func config(stack string, n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "slab {\n  stack = %q\n}\n\nbackend \"bench\" {\n  driver = \"file\"\n  pool \"p\" {\n    path = \"pool\"\n    max_over_subscription_ratio = 100000\n  }\n}\n", stack)
	for i := range n {
		fmt.Fprintf(&b, "\nvolume \"v%06d\" {\n  size = 1\n  metadata = { index = \"%d\" }\n}\n", i, i)
	}
	return b.Bytes()
}

// timed runs slab and returns its wall time; the exit code must be want.
// Its errors never quote the command line, which may hold a DSN.
func timed(bin, dir string, want int, args ...string) (time.Duration, error) {
	cmd := exec.Command(bin, append([]string{"-chdir=" + dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &stderr
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		return 0, err
	}
	if code != want {
		return 0, fmt.Errorf("slab %s exited %d: %s", args[0], code, stderr.String())
	}
	return elapsed, nil
}
