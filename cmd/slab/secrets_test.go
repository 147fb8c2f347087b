package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const secretConfig = `
backend "b" {
  driver = "file"
  pool "p" {
    path = "pool"
  }
}

variable "token" {
  type      = string
  sensitive = true
}

locals {
  labels = { owner = "db-team", token = var.token }
}

volume "v" {
  size        = 1
  description = "token ${var.token}"
  metadata    = local.labels
}

snapshot "s" {
  volume   = volume.v
  metadata = { copy_of = volume.v.metadata["token"] }
}

output "token" {
  value     = var.token
  sensitive = true
}
`

func TestSensitiveValuesNeverReachPlansStateViewsOrLogs(t *testing.T) {
	const secret = "Hunter2-TOKEN"
	dir := t.TempDir()
	writeFile(t, dir, "main.hcl", secretConfig)
	t.Setenv("SLAB_VAR_token", secret)

	var seen []result
	run := func(want int, args ...string) result {
		r := mustSlab(t, dir, want, args...)
		seen = append(seen, r)
		return r
	}
	plan := run(0, "plan", "-out", "p.plan")
	if !strings.Contains(plan.stdout, "metadata          = (sensitive value)") || !strings.Contains(plan.stdout, "description       = (sensitive value)") {
		t.Fatalf("sensitive attributes are not masked in the plan:\n%s", plan)
	}
	run(0, "plan", "-json")
	run(0, "show", "p.plan")
	run(0, "show", "-json", "p.plan")
	run(0, "apply", "p.plan")
	run(0, "apply", "-auto-approve", "-json")
	run(0, "show")
	run(0, "show", "-json")
	run(0, "state", "show", "volume.v")
	run(0, "state", "show", "-json", "snapshot.s")
	run(0, "output")
	run(0, "output", "-json")
	for _, r := range seen {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Fatalf("the secret leaked into output:\n%s", r)
		}
	}
	_, hist := readState(t, dir, "default")
	for _, e := range hist {
		if strings.Contains(e.Detail, secret) {
			t.Errorf("the secret leaked into history: %+v", e)
		}
	}
	// Asking for the output by name is the one way to read it.
	if r := run(0, "output", "token"); strings.TrimSpace(r.stdout) != `"`+secret+`"` {
		t.Errorf("slab output token = %q", r.stdout)
	}
	// The state and the saved plan hold it (they must, to apply and
	// compare), so both are private files.
	for _, f := range []string{"p.plan", DefaultStatePath} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v (err %v), want 0600", f, fi.Mode().Perm(), err)
		}
	}
}
