package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/slab-storage/slab/state"
	"github.com/slab-storage/slab/state/postgres/pgtest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// slabBin is the binary built once for the end-to-end tests.
var slabBin string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "slab-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	slabBin = filepath.Join(dir, "slab")
	build := exec.Command("go", "build", "-o", slabBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building slab:", err)
		os.Exit(1)
	}
	// pgtest.Run stops the PostgreSQL server the tests may have started.
	code := pgtest.Run(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is one run of the binary.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s\n--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// slab runs the built binary in dir with no standard input.
func slab(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return slabWithInput(t, dir, "", args...)
}

func slabWithInput(t *testing.T, dir, input string, args ...string) result {
	t.Helper()
	p := startSlab(t, dir, nil, args...)
	p.cmd.Stdin = strings.NewReader(input)
	return p.wait(t)
}

// slabEnv runs slab with extra environment variables (SLAB_STATE=…).
func slabEnv(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	return startSlab(t, dir, env, args...).wait(t)
}

// mustSlabEnv is mustSlab with extra environment variables.
func mustSlabEnv(t *testing.T, dir string, env []string, want int, args ...string) result {
	t.Helper()
	r := slabEnv(t, dir, env, args...)
	if r.code != want {
		t.Fatalf("slab %s (env %v): want exit %d, got %s", strings.Join(args, " "), env, want, r)
	}
	return r
}

// slabProcess is a slab command being prepared or running.
type slabProcess struct {
	cmd            *exec.Cmd
	args           []string
	stdout, stderr bytes.Buffer
}

// startSlab prepares slab in dir with extra environment variables; wait
// starts it if start was not called, and waits for it.
func startSlab(t *testing.T, dir string, env []string, args ...string) *slabProcess {
	t.Helper()
	p := &slabProcess{args: args}
	p.cmd = exec.Command(slabBin, append([]string{"-chdir=" + dir}, args...)...)
	p.cmd.Env = append(append(os.Environ(), "NO_COLOR=1"), env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	return p
}

// start starts the process; the test kills it if it is still running
// when the test ends.
func (p *slabProcess) start(t *testing.T) *slabProcess {
	t.Helper()
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting slab %v: %v", p.args, err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
	})
	return p
}

func (p *slabProcess) wait(t *testing.T) result {
	t.Helper()
	if p.cmd.Process == nil {
		p.start(t)
	}
	err := p.cmd.Wait()
	r := result{stdout: p.stdout.String(), stderr: p.stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("running slab %v: %v", p.args, err)
	}
	return r
}

// mustSlab runs slab and fails the test unless it exits with want.
func mustSlab(t *testing.T, dir string, want int, args ...string) result {
	t.Helper()
	r := slab(t, dir, args...)
	if r.code != want {
		t.Fatalf("slab %s: want exit %d, got %s", strings.Join(args, " "), want, r)
	}
	return r
}

// copyDir copies a directory tree of regular files.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			if info.Name() == ".slab" || info.Name() == "pools" {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		defer out.Close()
		_, err = io.Copy(out, in)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// writeFile writes one configuration file.
func writeFile(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// editFile replaces old with new in a file, failing if old is absent.
func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(old)) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, bytes.Replace(raw, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readState opens the directory's default SQLite store directly and
// reads a stack.
func readState(t *testing.T, dir, stack string) (*state.State, []state.Event) {
	t.Helper()
	return readStateAt(t, filepath.Join(dir, DefaultStatePath), stack)
}

// readStateAt reads a stack and its history from the store at loc.
func readStateAt(t *testing.T, loc, stack string) (*state.State, []state.Event) {
	t.Helper()
	store := openAt(t, loc)
	defer store.Close()
	ctx := context.Background()
	rec, err := store.Read(ctx, stack)
	if err != nil {
		t.Fatal(err)
	}
	hist, err := store.History(ctx, stack, 0)
	if err != nil {
		t.Fatal(err)
	}
	return rec, hist
}

func volumeAt(t *testing.T, rec *state.State, address string) *state.Volume {
	t.Helper()
	for _, v := range rec.Volumes {
		if v.Address == address {
			return v
		}
	}
	t.Fatalf("no recorded volume at %s", address)
	return nil
}

// fileSize is a file's apparent size, or -1 when it does not exist.
func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return -1
	}
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

const gib = int64(1) << 30

var (
	uuidPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	timePattern = regexp.MustCompile(`"(@?timestamp)": "[^"]+"`)
)

// golden compares got with testdata/golden/NAME after replacing what
// varies between runs (UUIDs, the temporary directory).
func golden(t *testing.T, name, got, tmpDir string) {
	t.Helper()
	got = strings.ReplaceAll(got, tmpDir, "$DIR")
	got = uuidPattern.ReplaceAllString(got, "00000000-0000-0000-0000-000000000000")
	got = timePattern.ReplaceAllString(got, `"$1": "$$TIME"`)
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/slab -run %s -update to create it)", err, t.Name())
	}
	if string(want) != got {
		t.Errorf("output differs from %s (run with -update if the change is intended):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}
