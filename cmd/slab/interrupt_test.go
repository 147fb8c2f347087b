package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestInterruptingAnApplyFinishesRunningStepsAndReleasesTheLock(t *testing.T) {
	const n = 600
	dir := t.TempDir()
	var cfg strings.Builder
	cfg.WriteString("backend \"b\" {\n  driver = \"file\"\n  pool \"p\" {\n    path = \"pool\"\n    max_over_subscription_ratio = 1000\n  }\n}\n")
	for i := range n {
		fmt.Fprintf(&cfg, "volume \"v%03d\" {\n  size = 1\n}\n", i)
	}
	writeFile(t, dir, "main.hcl", cfg.String())

	cmd := exec.Command(slabBin, "-chdir="+dir, "apply", "-auto-approve", "-parallelism", "2")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "pool", "volumes", "volume-*"))
		if len(files) >= 30 || time.Now().After(deadline) {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	exit, _ := err.(*exec.ExitError)
	if exit == nil || exit.Sys().(syscall.WaitStatus).ExitStatus() != 1 {
		t.Fatalf("interrupted apply: %v, want exit 1\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "The apply was interrupted") {
		t.Errorf("no interruption notice:\n%s", stderr.String())
	}
	rec, _ := readState(t, dir, "default")
	if len(rec.Volumes) == n {
		t.Fatal("the apply finished before the interrupt; the test proves nothing")
	}
	for _, v := range rec.Volumes {
		if v.Status != "available" {
			t.Errorf("%s is %s after the interrupt (%s); steps must finish or not start", v.Address, v.Status, v.StatusReason)
		}
	}
	// The lock was released on the way out, so the next apply just runs.
	mustSlab(t, dir, 0, "apply", "-auto-approve")
	mustSlab(t, dir, 0, "plan", "-detailed-exitcode")
}
