package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestExampleAppliesAndDestroysWithTheRealCLI runs examples/terraform as
// a user would: the provider built as a binary, found through a
// dev_overrides CLI configuration, driven by the OpenTofu CLI.
func TestExampleAppliesAndDestroysWithTheRealCLI(t *testing.T) {
	tofu := useTofu(t)
	root := repoRoot(t)
	work := t.TempDir()
	ex := filepath.Join(work, "example")
	if err := os.CopyFS(ex, os.DirFS(filepath.Join(root, "examples", "terraform"))); err != nil {
		t.Fatal(err)
	}
	for _, leftover := range []string{".terraform", "terraform.tfstate", "slab/.slab", "slab/pools", "slab/backups"} {
		os.RemoveAll(filepath.Join(ex, leftover))
	}
	bin := filepath.Join(work, "bin")
	buildBinary(t, "./terraform-provider", bin, "terraform-provider-slab")
	slab := buildBinary(t, "./cmd/slab", bin, "slab")
	rc := filepath.Join(work, "dev.tfrc")
	writeFile(t, rc, fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"slab-storage/slab\" = %q\n  }\n  direct {}\n}\n", bin))

	run := func(want int, name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = ex
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "SLAB_STATE=")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%s %v: %v", name, args, err)
		}
		if code != want {
			t.Fatalf("%s %v: exit %d, want %d\n%s", filepath.Base(name), args, code, want, out.String())
		}
		return out.String()
	}

	run(0, tofu, "apply", "-auto-approve", "-input=false", "-no-color")
	var outputs map[string]struct{ Value any }
	if err := json.Unmarshal([]byte(run(0, tofu, "output", "-json")), &outputs); err != nil {
		t.Fatal(err)
	}
	if outputs["db_pool"].Value != "local#fast" || outputs["db_iops"].Value != "100" {
		t.Fatalf("outputs: %+v", outputs)
	}
	// A second plan finds nothing to do: the provider reads back exactly
	// what it planned.
	run(0, tofu, "plan", "-detailed-exitcode", "-input=false", "-no-color")

	// The slab CLI sees the same objects in the provider's stack.
	listDir := filepath.Join(work, "list")
	writeFile(t, filepath.Join(listDir, "main.hcl"), fmt.Sprintf("slab {\n  stack = \"terraform-default\"\n  state = %q\n}\n",
		filepath.Join(ex, "slab", ".slab", "state.db")))
	list := strings.Fields(run(0, slab, "-chdir="+listDir, "state", "list"))
	want := []string{"backup.db-full", "qos.standard", "snapshot.db-before-upgrade", "volume.db", "volume.db-restored", "volume.db-test", "volume_type.ssd"}
	if strings.Join(list, " ") != strings.Join(want, " ") {
		t.Fatalf("slab state list = %v, want %v", list, want)
	}

	if out := run(0, slab, "-chdir="+listDir, "backup", "list"); !strings.Contains(out, "backup.db-full") {
		t.Fatalf("slab backup list:\n%s", out)
	}

	run(0, tofu, "destroy", "-auto-approve", "-input=false", "-no-color")
	if list := strings.TrimSpace(run(0, slab, "-chdir="+listDir, "state", "list")); list != "" {
		t.Fatalf("after destroy, slab state list = %q", list)
	}
	files, _ := filepath.Glob(filepath.Join(ex, "slab", "pools", "*", "volumes", "*"))
	if len(files) != 0 {
		t.Fatalf("volume files left: %v", files)
	}
	if left, _ := filepath.Glob(filepath.Join(ex, "slab", "backups", "backup-*")); len(left) != 0 {
		t.Fatalf("backups left in the repository: %v", left)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
