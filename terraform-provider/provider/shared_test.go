package provider

import (
	"context"
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

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/hcl/config"
	"github.com/slab-storage/slab/planner"
	"github.com/slab-storage/slab/state/sqlite"
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

// cliPlan plans the slab CLI configuration in dir (its own stack, the same
// store and pools) with the planner, as slab plan does.
func cliPlan(ctx context.Context, dir string) (*planner.Plan, *planner.PoolSet, error) {
	cfg, diags := config.Load(dir, config.LoadOptions{KnownDrivers: drivers.Names()})
	if diags.HasErrors() {
		return nil, nil, diags
	}
	store, err := sqlite.Open(cfg.Settings.State)
	if err != nil {
		return nil, nil, err
	}
	defer store.Close()
	rec, err := store.Read(ctx, cfg.Settings.Stack)
	if err != nil {
		return nil, nil, err
	}
	pools := planner.NewPoolSet(planner.PoolSpecs(cfg))
	plan, diags := planner.Make(ctx, cfg, rec, pools, planner.Options{Refresh: true})
	if diags.HasErrors() {
		pools.Close()
		return nil, nil, diags
	}
	return plan, pools, nil
}

func TestAccTerraformAndCLIVolumesShareOneCatalogAndPoolCapacity(t *testing.T) {
	e := newEnv(t, twoTightPools)
	size := bigGiB(t, e.dir)
	ctx := context.Background()
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
					// saying why.
					func(*terraform.State) error {
						plan, ps, err := cliPlan(ctx, cliDir)
						if err != nil {
							return err
						}
						defer ps.Close()
						c := plan.Change("volume.mine")
						if c == nil || c.Placement == nil || c.Placement.Pool == tfPool {
							return fmt.Errorf("the CLI placed volume.mine on %+v, the Terraform volume's pool is %s", c, tfPool)
						}
						why := ""
						for _, r := range c.Placement.Explanation.Rejected {
							if r.Pool == tfPool {
								why = r.Filter
							}
						}
						if why != "CapacityFilter" {
							return fmt.Errorf("pool %s was not rejected by CapacityFilter: %+v", tfPool, c.Placement.Explanation)
						}
						// Apply it, so the CLI's volume fills the other pool.
						store, err := sqlite.Open(e.db)
						if err != nil {
							return err
						}
						defer store.Close()
						res, err := planner.Apply(ctx, plan, planner.ApplyOptions{Store: store, Pools: ps})
						if err != nil || len(res.Failed) > 0 {
							return fmt.Errorf("CLI apply: %v %v", err, res)
						}
						return nil
					},
					// slab state list shows the Terraform volume in the
					// provider's stack.
					func(*terraform.State) error {
						dir := t.TempDir()
						src := fmt.Sprintf("slab {\n  stack = %q\n  state = %q\n}\n", e.stack, e.db)
						if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
							return err
						}
						out, err := exec.Command(slab, "-chdir="+dir, "state", "list").CombinedOutput()
						if err != nil || strings.TrimSpace(string(out)) != "volume.big" {
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
					// Clean up the CLI's volume so CheckDestroy sees empty pools.
					cfg, _ := config.Load(cliDir, config.LoadOptions{KnownDrivers: drivers.Names()})
					store, err := sqlite.Open(e.db)
					if err != nil {
						return err
					}
					defer store.Close()
					rec, err := store.Read(ctx, "cli")
					if err != nil {
						return err
					}
					ps := planner.NewPoolSet(planner.PoolSpecs(cfg))
					defer ps.Close()
					plan, diags := planner.Make(ctx, cfg, rec, ps, planner.Options{Refresh: true, Destroy: true})
					if diags.HasErrors() {
						return diags
					}
					res, err := planner.Apply(ctx, plan, planner.ApplyOptions{Store: store, Pools: ps})
					if err != nil || len(res.Failed) > 0 {
						return fmt.Errorf("CLI destroy: %v %v", err, res)
					}
					return nil
				},
			},
		},
	})
}
