package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/slab-storage/slab/state"
	"github.com/slab-storage/slab/state/sqlite"
)

// The acceptance tests drive a real OpenTofu CLI (make test builds it into
// .tools/bin) against the provider served in this process, with real file
// pools in temporary directories and a real SQLite state store.

var factories = map[string]func() (tfprotov6.ProviderServer, error){
	"slab": providerserver.NewProtocol6WithError(New("test")()),
}

// repoRoot is the module's root, two levels above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// useTofu points terraform-plugin-testing at the OpenTofu CLI. It is a
// required part of the tests, so a missing CLI fails them.
func useTofu(t *testing.T) string {
	t.Helper()
	tofu := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tofu == "" {
		tofu = filepath.Join(repoRoot(t), ".tools", "bin", "tofu")
	}
	if _, err := os.Stat(tofu); err != nil {
		t.Fatalf("OpenTofu CLI not found at %s: run make tofu (or set TF_ACC_TERRAFORM_PATH): %v", tofu, err)
	}
	t.Setenv("TF_ACC", "1")
	t.Setenv("TF_ACC_TERRAFORM_PATH", tofu)
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "hashicorp")
	t.Setenv("TF_ACC_PROVIDER_HOST", "registry.opentofu.org")
	t.Setenv("CHECKPOINT_DISABLE", "1")
	t.Setenv("SLAB_STATE", "")
	return tofu
}

// env is one test's slab world: a config directory declaring file pools,
// and a SQLite state store.
type env struct {
	t     *testing.T
	dir   string // config_dir
	db    string
	stack string
}

// newEnv writes backends (HCL) into a fresh config directory; "POOLS"
// in it stands for a directory under the test's temp dir.
func newEnv(t *testing.T, backends string) *env {
	t.Helper()
	useTofu(t)
	base := t.TempDir()
	e := &env{t: t, dir: filepath.Join(base, "slab"), db: filepath.Join(base, "state.db"), stack: "tf"}
	if err := os.MkdirAll(e.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := strings.ReplaceAll(backends, "POOLS", filepath.Join(base, "pools"))
	if err := os.WriteFile(filepath.Join(e.dir, "backends.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return e
}

// config is a Terraform configuration: the provider block, then body.
func (e *env) config(body string) string {
	return fmt.Sprintf(`provider "slab" {
  config_dir = %q
  state      = %q
  stack      = %q
}
`, e.dir, e.db, e.stack) + body
}

// record reads the provider's stack from the state store.
func (e *env) record() *state.State {
	e.t.Helper()
	store, err := sqlite.Open(e.db)
	if err != nil {
		e.t.Fatal(err)
	}
	defer store.Close()
	rec, err := store.Read(context.Background(), e.stack)
	if err != nil {
		e.t.Fatal(err)
	}
	return rec
}

// checkEmpty is a CheckDestroy: nothing is left recorded in the stack
// and no volume file is left on any pool.
func (e *env) checkEmpty(*terraform.State) error {
	rec := e.record()
	if n := len(rec.Volumes) + len(rec.Snapshots) + len(rec.VolumeTypes) + len(rec.QoS); n != 0 {
		return fmt.Errorf("%d objects still recorded in stack %s", n, e.stack)
	}
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(e.dir), "pools", "*", "volumes", "*"))
	if len(files) != 0 {
		return fmt.Errorf("volume files left on the pools: %v", files)
	}
	return nil
}

// fileSize checks the size in GiB of the volume file at provider_location.
func fileSize(name string, gib int64) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		fi, err := os.Stat(rs.Primary.Attributes["provider_location"])
		if err != nil {
			return err
		}
		if fi.Size() != gib<<30 {
			return fmt.Errorf("%s: file is %d bytes, want %d GiB", name, fi.Size(), gib)
		}
		return nil
	}
}

// saveID stores a resource's id; sameID / otherID compare with it later.
func saveID(name string, into *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		*into = rs.Primary.ID
		return nil
	}
}

func compareID(name string, saved *string, same bool) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		if (rs.Primary.ID == *saved) != same {
			return fmt.Errorf("%s: id %s, earlier %s (want same=%v)", name, rs.Primary.ID, *saved, same)
		}
		return nil
	}
}

// buildBinary builds a command of this module into dir.
func buildBinary(t *testing.T, pkg, dir, name string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = repoRoot(t)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// markStatus records a status for the backup at address, as a failed
// apply would leave it.
func (e *env) markStatus(address, status string) {
	e.t.Helper()
	store, err := sqlite.Open(e.db)
	if err != nil {
		e.t.Fatal(err)
	}
	defer store.Close()
	for _, o := range e.record().Objects() {
		if o.ObjectAddress() != address {
			continue
		}
		b, ok := o.(*state.Backup)
		if !ok {
			e.t.Fatalf("%s is not a backup", address)
		}
		b.Status, b.StatusReason = status, "marked by the test"
		if _, err := store.Apply(context.Background(), e.stack, state.Write{Put: o, Event: state.Event{Action: "error", Detail: "marked by the test"}}); err != nil {
			e.t.Fatal(err)
		}
		return
	}
	e.t.Fatalf("nothing is recorded at %s", address)
}
