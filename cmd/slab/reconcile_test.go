package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slab-storage/slab/state"
)

// reconcileProcess is a running slab reconcile whose events the test reads
// as they come.
type reconcileProcess struct {
	t      *testing.T
	cmd    *exec.Cmd
	stderr bytes.Buffer
	events chan map[string]any
	mu     sync.Mutex
	seen   []string // every event line, for failure messages
	exited chan struct{}
	code   int
}

// eventWait bounds how long a test waits for an event that should come;
// it is a safety net against hanging, never an assertion on speed.
const eventWait = 2 * time.Minute

func startReconcile(t *testing.T, dir string, env []string, args ...string) *reconcileProcess {
	t.Helper()
	p := &reconcileProcess{t: t, events: make(chan map[string]any, 10000), exited: make(chan struct{})}
	p.cmd = exec.Command(slabBin, append([]string{"-chdir=" + dir, "reconcile"}, args...)...)
	p.cmd.Env = append(append(os.Environ(), "NO_COLOR=1"), env...)
	p.cmd.Stderr = &p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.seen = append(p.seen, line)
			p.mu.Unlock()
			var ev map[string]any
			if err := json.Unmarshal([]byte(line), &ev); err != nil {
				ev = map[string]any{"type": "NOT JSON", "line": line}
			}
			p.events <- ev
		}
		_, _ = io.Copy(io.Discard, out)
		err := p.cmd.Wait()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			p.code = exit.ExitCode()
		}
		close(p.events)
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

func (p *reconcileProcess) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.seen, "\n") + "\n--- stderr\n" + p.stderr.String()
}

// next returns the next event matching match, failing the test if the
// process exits or nothing matches in time. Every event must be JSON.
func (p *reconcileProcess) next(what string, match func(ev map[string]any) bool) map[string]any {
	p.t.Helper()
	timeout := time.After(eventWait)
	for {
		select {
		case ev, ok := <-p.events:
			if !ok {
				p.t.Fatalf("reconcile exited (%d) before %s:\n%s", p.code, what, p.log())
			}
			if ev["type"] == "NOT JSON" {
				p.t.Fatalf("reconcile wrote a line that is not JSON: %q", ev["line"])
			}
			if match(ev) {
				return ev
			}
		case <-timeout:
			p.t.Fatalf("no %s:\n%s", what, p.log())
		}
	}
}

func ofType(typ string) func(map[string]any) bool {
	return func(ev map[string]any) bool { return ev["type"] == typ }
}

// finishedRun waits for the next run_finished event.
func (p *reconcileProcess) finishedRun() map[string]any {
	p.t.Helper()
	return p.next("run_finished", ofType("run_finished"))
}

// exit waits for the process to end and returns its exit code.
func (p *reconcileProcess) exit() int {
	p.t.Helper()
	for range p.events {
	}
	select {
	case <-p.exited:
	case <-time.After(eventWait):
		p.t.Fatalf("reconcile did not exit:\n%s", p.log())
	}
	return p.code
}

// scrape reads the value of one series from /metrics, e.g.
// `slab_reconcile_runs_total{result="ok"}`; -1 when the series is absent.
func scrape(t *testing.T, addr, series string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("series %s: %v", series, err)
			}
			return f
		}
	}
	return -1
}

// replaceConfig rewrites main.hcl atomically, as a checkout that renames
// files into place does: reconcile must never read half a file.
func replaceConfig(t *testing.T, dir, body string) {
	t.Helper()
	tmp := filepath.Join(dir, ".main.hcl.tmp")
	if err := os.WriteFile(tmp, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "main.hcl")); err != nil {
		t.Fatal(err)
	}
}

const reconcilePool = `backend "b" {
  driver = "file"
  pool "p" {
    path = "pool"
    max_over_subscription_ratio = 1000
  }
}
`

func TestReconcileAppliesConfigChangesAndStopsCleanlyMidApply(t *testing.T) {
	dir := t.TempDir()
	hold := filepath.Join(t.TempDir(), "hold")
	writeFile(t, dir, "main.hcl", reconcilePool+"volume \"a\" {\n  size = 1\n}\n")
	p := startReconcile(t, dir, []string{holdEnv + "=" + hold},
		"-interval", "200ms", "-auto-approve", "-metrics-addr", "127.0.0.1:0", "-parallelism", "1")

	started := p.next("reconcile_started", ofType("reconcile_started"))
	addr, _ := started["metrics_addr"].(string)
	if addr == "" || strings.HasSuffix(addr, ":0") {
		t.Fatalf("reconcile_started has no bound metrics address: %v", started)
	}

	// The first run creates volume.a.
	if ev := p.finishedRun(); ev["result"] != "ok" || ev["applied"] != 1.0 {
		t.Fatalf("first run: %v\n%s", ev, p.log())
	}
	rec, _ := readState(t, dir, "default")
	a := volumeAt(t, rec, "volume.a")
	if got := fileSize(t, filepath.Join(dir, "pool", "volumes", "volume-"+a.ID)); got != gib {
		t.Fatalf("volume.a's file is %d bytes, want %d", got, gib)
	}
	if got := scrape(t, addr, "slab_reconcile_changes_applied_total"); got != 1 {
		t.Errorf("changes_applied_total = %v after the first run, want 1", got)
	}
	if got := scrape(t, addr, `slab_reconcile_runs_total{result="ok"}`); got < 1 {
		t.Errorf(`runs_total{result="ok"} = %v, want at least 1`, got)
	}
	if got := scrape(t, addr, "slab_reconcile_last_success_timestamp_seconds"); got <= 0 {
		t.Errorf("last_success_timestamp_seconds = %v, want a time", got)
	}
	if got := scrape(t, addr, `slab_pool_capacity_gib{kind="provisioned",pool="b#p"}`); got != 1 {
		t.Errorf("provisioned capacity of b#p = %v, want 1", got)
	}

	// Grow volume.a and add volume.b: the loop applies both.
	replaceConfig(t, dir, reconcilePool+"volume \"a\" {\n  size = 2\n}\nvolume \"b\" {\n  size = 1\n}\n")
	p.next("a run applying the edit", func(ev map[string]any) bool {
		return ev["type"] == "run_finished" && ev["applied"] == 2.0
	})
	rec, _ = readState(t, dir, "default")
	a, b := volumeAt(t, rec, "volume.a"), volumeAt(t, rec, "volume.b")
	if a.SizeGiB != 2 || fileSize(t, filepath.Join(dir, "pool", "volumes", "volume-"+a.ID)) != 2*gib {
		t.Errorf("volume.a was not grown to 2 GiB: recorded %d", a.SizeGiB)
	}
	if fileSize(t, filepath.Join(dir, "pool", "volumes", "volume-"+b.ID)) != gib {
		t.Errorf("volume.b has no 1 GiB file on the pool")
	}
	if got := scrape(t, addr, "slab_reconcile_changes_applied_total"); got != 3 {
		t.Errorf("changes_applied_total = %v after the edit, want 3", got)
	}

	// Delete volume.b's file behind slab's back: the next run reports the
	// drift and recreates it.
	if err := os.Remove(filepath.Join(dir, "pool", "volumes", "volume-"+b.ID)); err != nil {
		t.Fatal(err)
	}
	drift := p.next("drift of volume.b", ofType("drift"))
	if drift["address"] != "volume.b" || drift["action"] != "delete" {
		t.Errorf("drift event: %v", drift)
	}
	if ev := p.finishedRun(); ev["result"] != "ok" || ev["drift"] != 1.0 || ev["applied"] != 1.0 {
		t.Errorf("run after the drift: %v", ev)
	}

	// Hold steps, add four volumes, and stop reconcile while the first
	// step is in flight.
	if err := os.WriteFile(hold, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var cfg strings.Builder
	cfg.WriteString(reconcilePool + "volume \"a\" {\n  size = 2\n}\nvolume \"b\" {\n  size = 1\n}\n")
	for i := range 4 {
		fmt.Fprintf(&cfg, "volume \"c%d\" {\n  size = 1\n}\n", i)
	}
	replaceConfig(t, dir, cfg.String())
	inFlight := p.next("a step of the new volumes", ofType("change_started"))
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.next("stop_requested", ofType("stop_requested"))
	if err := os.Remove(hold); err != nil {
		t.Fatal(err)
	}
	finished := p.finishedRun()
	if finished["result"] != "interrupted" || finished["applied"] != 1.0 || finished["skipped"] != 3.0 {
		t.Errorf("interrupted run: %v\n%s", finished, p.log())
	}
	if _, ok := finished["next_run_seconds"]; ok {
		t.Errorf("the last run announces a next one: %v", finished)
	}
	p.next("reconcile_stopped", ofType("reconcile_stopped"))
	if code := p.exit(); code != 0 {
		t.Fatalf("reconcile exited %d after SIGTERM, want 0:\n%s", code, p.log())
	}

	// The in-flight volume was recorded, available, with its file.
	rec, _ = readState(t, dir, "default")
	done := volumeAt(t, rec, inFlight["address"].(string))
	if done.Status != "available" || fileSize(t, filepath.Join(dir, "pool", "volumes", "volume-"+done.ID)) != gib {
		t.Errorf("%s: status %s, want available with its 1 GiB file", done.Address, done.Status)
	}
	if len(rec.Volumes) != 3 {
		t.Errorf("%d volumes recorded, want a, b and the in-flight one", len(rec.Volumes))
	}
	// The lock is free (no -lock-timeout), nothing drifted, and only the
	// three volumes never started remain to create.
	r := mustSlab(t, dir, 0, "plan", "-json")
	var plan struct {
		ResourceDrift   []any `json:"resource_drift"`
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions []string `json:"actions"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &plan); err != nil {
		t.Fatalf("plan -json: %v\n%s", err, r.stdout)
	}
	if len(plan.ResourceDrift) != 0 {
		t.Errorf("drift after the stop: %v", plan.ResourceDrift)
	}
	creates := 0
	for _, rc := range plan.ResourceChanges {
		switch strings.Join(rc.Change.Actions, ",") {
		case "create":
			creates++
		case "no-op":
		default:
			t.Errorf("%s: %v after the stop, want create or no-op", rc.Address, rc.Change.Actions)
		}
	}
	if creates != 3 {
		t.Errorf("%d creates planned after the stop, want 3", creates)
	}
	mustSlab(t, dir, 0, "apply", "-auto-approve")
	mustSlab(t, dir, 0, "plan", "-detailed-exitcode")
}

func TestReconcileBacksOffOnDriverErrorsAndResetsAfterSuccess(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "main.hcl", reconcilePool+"volume \"a\" {\n  size = 1\n}\n")
	// The pool's path is a symlink, swapped atomically between a regular
	// file (the driver cannot open the pool) and a directory, so that no
	// run ever sees a half-made change.
	writeFile(t, dir, "broken", "not a directory")
	if err := os.Mkdir(filepath.Join(dir, "good"), 0o700); err != nil {
		t.Fatal(err)
	}
	pointPool := func(target string) {
		t.Helper()
		tmp := filepath.Join(dir, "pool.new")
		if err := os.Symlink(target, tmp); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, "pool")); err != nil {
			t.Fatal(err)
		}
	}
	pointPool("broken")
	p := startReconcile(t, dir, nil, "-interval", "200ms", "-auto-approve", "-metrics-addr", "127.0.0.1:0",
		"-backoff-initial", "20ms", "-backoff-max", "80ms")
	addr := p.next("reconcile_started", ofType("reconcile_started"))["metrics_addr"].(string)

	for _, want := range []float64{0.02, 0.04, 0.08, 0.08} {
		ev := p.finishedRun()
		if ev["result"] != "failed" || ev["stage"] != "plan" || ev["next_run_seconds"] != want {
			t.Fatalf("failed run: %v, want result failed at stage plan and the next run in %vs\n%s", ev, want, p.log())
		}
		if !strings.Contains(fmt.Sprint(ev["error"]), "Cannot read pool b#p") {
			t.Errorf("failed run's error: %v", ev["error"])
		}
	}
	if got := scrape(t, addr, `slab_reconcile_failures_total{stage="plan"}`); got < 4 {
		t.Errorf(`failures_total{stage="plan"} = %v, want at least 4`, got)
	}

	pointPool("good")
	ok := p.next("a successful run", func(ev map[string]any) bool {
		return ev["type"] == "run_finished" && ev["result"] == "ok"
	})
	if ok["applied"] != 1.0 || ok["next_run_seconds"] != 0.2 {
		t.Errorf("run after the fix: %v, want volume.a applied and the next run after the interval", ok)
	}

	// A new failure starts the back-off from the beginning again.
	pointPool("broken")
	again := p.next("a failure after the success", func(ev map[string]any) bool {
		return ev["type"] == "run_finished" && ev["result"] == "failed"
	})
	if again["next_run_seconds"] != 0.02 {
		t.Errorf("first failure after a success waits %vs, want 0.02s", again["next_run_seconds"])
	}
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := p.exit(); code != 0 {
		t.Fatalf("reconcile exited %d after SIGINT, want 0:\n%s", code, p.log())
	}
}

func TestReconcileExitsOnConfigurationErrors(t *testing.T) {
	tests := []struct {
		name, fixture string
		wantRange     string
	}{
		{"a syntax error ends the loop", "syntax-error", "main.hcl:4:"},
		{"an unknown attribute ends the loop", "unknown-attribute", "main.hcl:8:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			copyDir(t, filepath.Join("testdata", "reconcile", tt.fixture), dir)
			p := startReconcile(t, dir, nil, "-interval", "200ms", "-auto-approve")
			ev := p.finishedRun()
			if ev["result"] != "config_error" || ev["stage"] != "config" {
				t.Errorf("run_finished: %v", ev)
			}
			diags, _ := ev["diagnostics"].([]any)
			if len(diags) == 0 || !strings.HasPrefix(fmt.Sprint(diags[0].(map[string]any)["range"]), tt.wantRange) {
				t.Errorf("diagnostics %v, want the first at %s", diags, tt.wantRange)
			}
			if code := p.exit(); code != 1 {
				t.Fatalf("exit %d, want 1:\n%s", code, p.log())
			}
			if !strings.Contains(p.stderr.String(), "Error: "+tt.wantRange) {
				t.Errorf("stderr lacks the diagnostic at %s:\n%s", tt.wantRange, p.stderr.String())
			}
			if _, err := os.Stat(filepath.Join(dir, "pool")); err == nil {
				t.Errorf("a pool was touched despite the configuration error")
			}
		})
	}
}

func TestReconcileWithoutApprovalOnlyReportsAndRefusesDataLoss(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "main.hcl", reconcilePool+"volume \"a\" {\n  size = 1\n}\n")
	if r := mustSlab(t, dir, 2, "reconcile", "-once"); !strings.Contains(r.stdout, `"result":"pending"`) {
		t.Errorf("reconcile -once without -auto-approve:\n%s", r)
	}
	if rec, _ := readState(t, dir, "default"); len(rec.Volumes) != 0 {
		t.Fatalf("reconcile without -auto-approve applied %d volume(s)", len(rec.Volumes))
	}
	// -dir names the configuration directory, wherever slab runs.
	mustSlab(t, t.TempDir(), 0, "reconcile", "-once", "-auto-approve", "-dir", dir)

	// Dropping the volume from the configuration would delete its data.
	writeFile(t, dir, "main.hcl", reconcilePool)
	r := mustSlab(t, dir, 2, "reconcile", "-once", "-auto-approve")
	if !strings.Contains(r.stdout, `"type":"apply_refused"`) || !strings.Contains(r.stdout, `"result":"refused"`) {
		t.Errorf("no refusal event:\n%s", r)
	}
	if !strings.Contains(r.stderr, "-allow-data-loss") {
		t.Errorf("the refusal does not name -allow-data-loss:\n%s", r.stderr)
	}
	if rec, _ := readState(t, dir, "default"); len(rec.Volumes) != 1 {
		t.Fatalf("the refused plan was applied")
	}
	mustSlab(t, dir, 0, "reconcile", "-once", "-auto-approve", "-allow-data-loss")
	if rec, _ := readState(t, dir, "default"); len(rec.Volumes) != 0 {
		t.Fatalf("-allow-data-loss did not apply the deletion")
	}
}

func TestReconcileHoldsTheLockOnlyWhileARunLasts(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "main.hcl", reconcilePool+"volume \"a\" {\n  size = 1\n}\n")

	// Someone else holds the stack's lock: without -lock-timeout the run
	// fails at the lock stage.
	store := openAt(t, filepath.Join(dir, DefaultStatePath))
	ctx := context.Background()
	if _, err := store.Stack(ctx, "default"); err != nil {
		t.Fatal(err)
	}
	held, err := store.LockWith(ctx, state.Lock{Stack: "default", Who: "operator", Operation: "apply"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	r := mustSlab(t, dir, 1, "reconcile", "-once", "-auto-approve")
	if !strings.Contains(r.stdout, `"stage":"lock"`) || !strings.Contains(r.stderr, "operator") {
		t.Errorf("a held lock did not fail the run at the lock stage naming its holder:\n%s", r)
	}

	// With -lock-timeout the run waits for the holder, then converges.
	p := startReconcile(t, dir, nil, "-interval", "1h", "-auto-approve", "-lock-timeout", "10m")
	p.next("run_started", ofType("run_started"))
	if err := store.Unlock(ctx, "default", held.ID); err != nil {
		t.Fatal(err)
	}
	if ev := p.finishedRun(); ev["result"] != "ok" || ev["applied"] != 1.0 {
		t.Fatalf("run after the lock was released: %v\n%s", ev, p.log())
	}
	// Sleeping until the next run, reconcile holds no lock: plan runs
	// without waiting and finds nothing to do.
	mustSlab(t, dir, 0, "plan", "-detailed-exitcode")
	// A stop while sleeping ends the loop at once, cleanly.
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.next("reconcile_stopped", ofType("reconcile_stopped"))
	if code := p.exit(); code != 0 {
		t.Fatalf("exit %d after SIGTERM while sleeping, want 0:\n%s", code, p.log())
	}
}

func TestBackoffDoublesFromTheInitialWaitUpToTheCap(t *testing.T) {
	tests := []struct {
		name     string
		failures int
		want     time.Duration
	}{
		{"the first failure waits the initial time", 1, 10 * time.Second},
		{"the second failure waits twice as long", 2, 20 * time.Second},
		{"the fourth failure waits eight times as long", 4, 80 * time.Second},
		{"the sixth failure is capped", 6, 5 * time.Minute},
		{"a long streak stays at the cap", 1000, 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := backoff(10*time.Second, 5*time.Minute, tt.failures); got != tt.want {
				t.Errorf("backoff after %d failures = %v, want %v", tt.failures, got, tt.want)
			}
		})
	}
}

func TestReconcileAdoptsWhatAnImportBlockNames(t *testing.T) {
	dir := t.TempDir()
	foreignFile(t, dir, "seed.img", gib)
	writeFile(t, dir, "main.hcl", onePool+`
import {
  to = volume.seed
  id = "local#p/seed.img"
}

volume "seed" {
  size = 1
}
`)
	r := mustSlab(t, dir, 0, "reconcile", "-once", "-auto-approve")
	wantAll(t, "a reconcile run with an import block", r.stdout, `"type":"plan"`, `"import":1`, `"action":"import"`, `"type":"change_applied"`)
	rec, _ := readState(t, dir, "default")
	if v := volumeAt(t, rec, "volume.seed"); v.SizeGiB != 1 || readHead(t, v.ProviderLocation, 11) != "boot sector" {
		t.Fatalf("reconcile recorded %+v", v)
	}
	mustSlab(t, dir, 0, "reconcile", "-once", "-auto-approve")
	mustSlab(t, dir, 0, "plan", "-detailed-exitcode")
}
