package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func main() {
	slab := flag.String("slab", "bin/slab", "the slab binary to measure")
	sizes := flag.String("n", "1000,10000", "comma-separated volume counts")
	parallelism := flag.Int("parallelism", 10, "apply -parallelism")
	keep := flag.Bool("keep", false, "keep the temporary directories")
	flag.Parse()
	bin, err := filepath.Abs(*slab)
	if err != nil {
		fail(err)
	}
	fmt.Printf("%-8s %12s %12s %14s %16s\n", "volumes", "plan", "apply", "no-op plan", "apply per volume")
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fail(fmt.Errorf("bad -n entry %q", s))
		}
		r, err := measure(bin, n, *parallelism, *keep)
		if err != nil {
			fail(fmt.Errorf("N=%d: %w", n, err))
		}
		fmt.Printf("%-8d %12s %12s %14s %16s\n", n, r.plan.Round(time.Millisecond), r.apply.Round(time.Millisecond),
			r.noop.Round(time.Millisecond), (r.apply / time.Duration(n)).Round(time.Microsecond))
	}
}

type result struct{ plan, apply, noop time.Duration }

func measure(bin string, n, parallelism int, keep bool) (result, error) {
	var r result
	dir, err := os.MkdirTemp("", "slab-scale-")
	if err != nil {
		return r, err
	}
	if !keep {
		defer os.RemoveAll(dir)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), config(n), 0o644); err != nil {
		return r, err
	}
	if r.plan, err = timed(bin, dir, 0, "plan", "-out", "plan.bin"); err != nil {
		return r, err
	}
	if r.apply, err = timed(bin, dir, 0, "apply", "-parallelism", strconv.Itoa(parallelism), "plan.bin"); err != nil {
		return r, err
	}
	if r.noop, err = timed(bin, dir, 0, "plan", "-detailed-exitcode"); err != nil {
		return r, err
	}
	return r, nil
}

// config is N one-GiB volumes on one thin pool with room to spare.
func config(n int) []byte {
	var b bytes.Buffer
	b.WriteString("slab {\n  stack = \"scale\"\n}\n\nbackend \"bench\" {\n  driver = \"file\"\n  pool \"p\" {\n    path = \"pool\"\n    max_over_subscription_ratio = 100000\n  }\n}\n")
	for i := range n {
		fmt.Fprintf(&b, "\nvolume \"v%06d\" {\n  size = 1\n  metadata = { index = \"%d\" }\n}\n", i, i)
	}
	return b.Bytes()
}

// timed runs slab and returns its wall time; the exit code must be want.
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
		return 0, fmt.Errorf("slab %s exited %d: %s", strings.Join(args, " "), code, stderr.String())
	}
	return elapsed, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "slab-scale:", err)
	os.Exit(1)
}
