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

const secretSizeConfig = `
backend "b" {
  driver            = "file"
  availability_zone = "zone-SECRETAZ"
  pool "p" {
    path                        = "pool"
    max_over_subscription_ratio = 100000
  }
}

variable "gib" {
  type      = number
  sensitive = true
}

variable "zone" {
  type      = string
  sensitive = true
  default   = "zone-SECRETAZ"
}

volume "v" {
  size              = var.gib
  availability_zone = var.zone
}
`

func TestSensitiveSizesAndZonesAreHiddenFromExplanationsDiagnosticsAndHistory(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "main.hcl", secretSizeConfig)
	var seen []result
	run := func(want int, args ...string) {
		seen = append(seen, mustSlab(t, dir, want, args...))
	}
	run(0, "plan", "-var", "gib=7331")
	run(0, "plan", "-json", "-var", "gib=7331")
	run(0, "apply", "-auto-approve", "-var", "gib=7331")
	run(0, "apply", "-auto-approve", "-var", "gib=7339") // extend
	run(1, "plan", "-var", "gib=7000")                   // shrink refused
	run(0, "state", "show", "volume.v")
	for _, r := range seen {
		for _, secret := range []string{"7331", "7339", "7000", "SECRETAZ"} {
			if strings.Contains(r.stdout+r.stderr, secret) {
				t.Fatalf("%s leaked:\n%s", secret, r)
			}
		}
	}
	_, hist := readState(t, dir, "default")
	for _, e := range hist {
		if strings.Contains(e.Detail, "733") {
			t.Errorf("a sensitive size leaked into history: %+v", e)
		}
	}
}

func TestSensitiveValuesAreScrubbedFromConfigurationErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "main.hcl", `
variable "token" {
  type      = string
  sensitive = true
  validation {
    condition     = length(var.token) > 40
    error_message = "token ${var.token} is too short"
  }
}
`)
	r := mustSlab(t, dir, 1, "validate", "-var", "token=SECRET-TOKEN-123")
	if strings.Contains(r.stderr, "SECRET-TOKEN-123") || !strings.Contains(r.stderr, "refers to a sensitive value") {
		t.Fatalf("validation message:\n%s", r)
	}
	writeFile(t, dir, "main.hcl", `
variable "token" {
  type      = string
  sensitive = true
}
locals {
  n = tonumber(var.token)
}
`)
	r = mustSlab(t, dir, 1, "validate", "-var", "token=SECRET-TOKEN-123")
	if strings.Contains(r.stderr, "SECRET-TOKEN-123") {
		t.Fatalf("a function error quoted the secret:\n%s", r)
	}
}

func TestASensitiveSchedulerQueryIsNeverQuoted(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "main.hcl", `
slab {
  scheduler {
    filters = ["CapacityFilter", "JsonFilter"]
  }
}
backend "x" {
  driver = "file"
  pool "a" {
    path = "pool"
  }
}
variable "q" {
  type      = string
  sensitive = true
}
volume "v" {
  size            = 1
  scheduler_hints = { query = var.q }
}
`)
	var seen []result
	seen = append(seen, mustSlab(t, dir, 1, "plan", "-var", `q=["=", "$volume_backend_name", "TOPSECRET"]`))
	seen = append(seen, mustSlab(t, dir, 0, "plan", "-json", "-var", `q=["=", "$volume_backend_name", "x"]`))
	seen = append(seen, mustSlab(t, dir, 0, "plan", "-explain", "volume.v", "-var", `q=["=", "$volume_backend_name", "x"]`))
	for _, r := range seen {
		if strings.Contains(r.stdout+r.stderr, "TOPSECRET") || strings.Contains(r.stdout+r.stderr, "$volume_backend_name") {
			t.Fatalf("the sensitive query leaked:\n%s", r)
		}
	}
}
