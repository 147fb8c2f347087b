package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// Two thin pools that each take one volume of bigGiB and not two (their
// over-subscription ratio is 1 and a volume takes more than half of the
// file system), so where one volume goes decides where the next can.
const twoTightPools = `
backend "shared" {
  driver            = "file"
  availability_zone = "az1"
  pool "a" {
    path                        = "POOLS/a"
    max_over_subscription_ratio = 1
  }
  pool "b" {
    path                        = "POOLS/b"
    max_over_subscription_ratio = 1
  }
}
`

// bigGiB is a size more than half of the file system holding dir.
func bigGiB(t *testing.T, dir string) int {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	total := int(uint64(st.Blocks) * uint64(st.Bsize) >> 30)
	return total/2 + 1
}

// cliPlanJSON is the part of slab plan -json this test reads.
type cliPlanJSON struct {
	Placements []struct {
		Address     string `json:"address"`
		Pool        string `json:"pool"`
		Explanation struct {
			Rejected []struct{ Pool, Filter, Reason string } `json:"rejected"`
		} `json:"explanation"`
	} `json:"placements"`
	Unmanaged []json.RawMessage `json:"unmanaged"`
}

// runSlab runs the slab CLI in dir and returns its standard output.
func runSlab(slab, dir string, args ...string) (string, error) {
	cmd := exec.Command(slab, append([]string{"-chdir=" + dir}, args...)...)
	cmd.Env = append(os.Environ(), "SLAB_STATE=")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("slab %v: %v\n%s%s", args, err, out.String(), errOut.String())
	}
	return out.String(), nil
}

func TestAccTerraformAndCLIVolumesShareOneCatalogAndPoolCapacity(t *testing.T) {
	e := newEnv(t, twoTightPools)
	size := bigGiB(t, e.dir)
	cliDir := filepath.Join(t.TempDir(), "cli")
	if err := os.MkdirAll(cliDir, 0o755); err != nil {
		t.Fatal(err)
	}
	pools, _ := os.ReadFile(filepath.Join(e.dir, "backends.hcl"))
	cliConfig := fmt.Sprintf("slab {\n  stack = \"cli\"\n  state = %q\n}\n%s\nvolume \"mine\" {\n  size = %d\n}\n", e.db, pools, size)
	if err := os.WriteFile(filepath.Join(cliDir, "main.hcl"), []byte(cliConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	slab := buildBinary(t, "./cmd/slab", t.TempDir(), "slab")
	volume := func(name string) string {
		return fmt.Sprintf("resource \"slab_volume\" %q {\n  name = %q\n  size = %d\n}\n", name, name, size)
	}
	var tfPool string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             e.checkEmpty,
		Steps: []resource.TestStep{
			{
				Config: e.config(volume("big")),
				Check: resource.ComposeAggregateTestCheckFunc(
					func(s *terraform.State) error {
						tfPool = s.RootModule().Resources["slab_volume.big"].Primary.Attributes["pool"]
						return nil
					},
					// The CLI's next plan sees the Terraform volume's
					// capacity on its pool and places its own elsewhere,
					// saying why; it does not take the Terraform volume for
					// an unmanaged one.
					func(*terraform.State) error {
						out, err := runSlab(slab, cliDir, "plan", "-json")
						if err != nil {
							return err
						}
						var plan cliPlanJSON
						if err := json.Unmarshal([]byte(out), &plan); err != nil {
							return fmt.Errorf("%v\n%s", err, out)
						}
						if len(plan.Placements) != 1 || plan.Placements[0].Pool == "" || plan.Placements[0].Pool == tfPool {
							return fmt.Errorf("the CLI placed %+v; the Terraform volume is on %s", plan.Placements, tfPool)
						}
						why := ""
						for _, r := range plan.Placements[0].Explanation.Rejected {
							if r.Pool == tfPool {
								why = r.Filter
							}
						}
						if why != "CapacityFilter" {
							return fmt.Errorf("pool %s was not rejected by CapacityFilter: %+v", tfPool, plan.Placements[0])
						}
						if len(plan.Unmanaged) != 0 {
							return fmt.Errorf("the CLI reports unmanaged objects: %s", plan.Unmanaged)
						}
						// Apply it, so the CLI's volume fills the other pool.
						_, err = runSlab(slab, cliDir, "apply", "-auto-approve")
						return err
					},
					// slab state list shows the Terraform volume in the
					// provider's stack.
					func(*terraform.State) error {
						dir := t.TempDir()
						src := fmt.Sprintf("slab {\n  stack = %q\n  state = %q\n}\n", e.stack, e.db)
						if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
							return err
						}
						out, err := runSlab(slab, dir, "state", "list")
						if err != nil || strings.TrimSpace(out) != "volume.big" {
							return fmt.Errorf("slab state list: %v\n%s", err, out)
						}
						return nil
					},
				),
			},
			{
				// And the other way round: with the CLI's volume on the
				// other pool, no pool is left for a second Terraform one.
				Config:      e.config(volume("big") + volume("more")),
				ExpectError: regexp.MustCompile(`(?s)No valid pool for volume\.more.*shared#a: CapacityFilter.*shared#b: CapacityFilter`),
			},
			{
				Config: e.config(volume("big")),
				Check: func(*terraform.State) error {
					// The CLI destroys its volume, so CheckDestroy sees
					// empty pools.
					_, err := runSlab(slab, cliDir, "destroy", "-auto-approve")
					return err
				},
			},
		},
	})
}
