package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// twoZones has one pool in az1 and one in az2.
const twoZones = `
backend "one" {
  driver            = "file"
  availability_zone = "az1"
  pool "p" {
    path         = "POOLS/one"
    capabilities = { disk = "ssd" }
  }
}
backend "two" {
  driver            = "file"
  availability_zone = "az2"
  pool "p" {
    path         = "POOLS/two"
    capabilities = { disk = "ssd" }
  }
}
`

func volumeConfig(size int, zone, extra string) string {
	return fmt.Sprintf(`
resource "slab_qos" "gold" {
  name     = "gold"
  consumer = "front-end"
  specs    = { total_iops_sec_per_gb = "30", total_iops_sec_max = "1000" }
}

resource "slab_volume_type" "ssd" {
  name        = "ssd"
  extra_specs = { "capabilities:disk" = "ssd" }
  qos         = slab_qos.gold.name
}

resource "slab_volume" "data" {
  name              = "data"
  size              = %d
  type              = slab_volume_type.ssd.name
  availability_zone = %q
  metadata          = { app = "db" }
  %s
}
`, size, zone, extra)
}

func TestAccVolumeIsCreatedImportedExtendedInPlaceReplacedAndDestroyed(t *testing.T) {
	e := newEnv(t, twoZones)
	var first string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             e.checkEmpty,
		Steps: []resource.TestStep{
			{
				Config: e.config(volumeConfig(1, "az1", "")),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("slab_volume.data", "status", "available"),
					resource.TestCheckResourceAttr("slab_volume.data", "pool", "one#p"),
					resource.TestCheckResourceAttr("slab_volume.data", "type", "ssd"),
					resource.TestCheckResourceAttr("slab_volume.data", "qos_limits.total_iops_sec", "30"),
					fileSize("slab_volume.data", 1),
					saveID("slab_volume.data", &first),
					func(*terraform.State) error {
						rec := e.record()
						if len(rec.Volumes) != 1 || rec.Volumes[0].Address != "volume.data" || rec.Volumes[0].ID != first {
							return fmt.Errorf("store holds %+v, want volume.data %s", rec.Volumes, first)
						}
						return nil
					},
				),
			},
			{
				ResourceName:            "slab_volume.data",
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"scheduler_hints"},
			},
			{ResourceName: "slab_qos.gold", ImportState: true, ImportStateVerify: true},
			{ResourceName: "slab_volume_type.ssd", ImportState: true, ImportStateVerify: true},
			{
				Config: e.config(volumeConfig(3, "az1", "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("slab_volume.data", plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					compareID("slab_volume.data", &first, true),
					resource.TestCheckResourceAttr("slab_volume.data", "size", "3"),
					resource.TestCheckResourceAttr("slab_volume.data", "qos_limits.total_iops_sec", "90"),
					fileSize("slab_volume.data", 3),
				),
			},
			{
				Config: e.config(volumeConfig(3, "az2", "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("slab_volume.data", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					compareID("slab_volume.data", &first, false),
					resource.TestCheckResourceAttr("slab_volume.data", "pool", "two#p"),
					fileSize("slab_volume.data", 3),
				),
			},
		},
	})
}

func TestAccShrinkingAVolumeFailsAtPlanAndChangesNothing(t *testing.T) {
	e := newEnv(t, twoZones)
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             e.checkEmpty,
		Steps: []resource.TestStep{
			{
				Config: e.config(volumeConfig(2, "az1", "")),
				Check:  resource.ComposeAggregateTestCheckFunc(saveID("slab_volume.data", &id), fileSize("slab_volume.data", 2)),
			},
			{
				Config:      e.config(volumeConfig(1, "az1", "")),
				ExpectError: regexp.MustCompile(`(?s)Volume size cannot shrink.*volume\.data\s+is\s+2\s+GiB\s+and\s+the\s+configuration\s+asks\s+for\s+1\s+GiB.*taint`),
			},
			{
				// Back at the recorded size: nothing to do, same volume,
				// same file.
				Config: e.config(volumeConfig(2, "az1", "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					compareID("slab_volume.data", &id, true),
					resource.TestCheckResourceAttr("slab_volume.data", "size", "2"),
					fileSize("slab_volume.data", 2),
					func(*terraform.State) error {
						if v := e.record().Volumes; len(v) != 1 || v[0].SizeGiB != 2 {
							return fmt.Errorf("store holds %+v", v)
						}
						return nil
					},
				),
			},
			{
				// Asked for explicitly (taint), the smaller size is a new
				// volume.
				Config: e.config(volumeConfig(1, "az1", "")),
				Taint:  []string{"slab_volume.data"},
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("slab_volume.data", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					compareID("slab_volume.data", &id, false),
					fileSize("slab_volume.data", 1),
				),
			},
		},
	})
}
