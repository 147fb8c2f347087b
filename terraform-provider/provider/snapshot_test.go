package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

// ssdAndHDD has an ssd pool and an hdd pool in one zone.
const ssdAndHDD = `
slab {
  scheduler {
    filters = ["AvailabilityZoneFilter", "CapacityFilter", "CapabilitiesFilter", "DifferentBackendFilter"]
  }
}
backend "fast" {
  driver            = "file"
  availability_zone = "az1"
  pool "p" {
    path         = "POOLS/fast"
    capabilities = { disk = "ssd", tier = "gold" }
  }
}
backend "slow" {
  driver            = "file"
  availability_zone = "az1"
  pool "p" {
    path         = "POOLS/slow"
    capabilities = { disk = "hdd" }
  }
}
`

const catalog = `
resource "slab_volume_type" "ssd" {
  name        = "ssd"
  extra_specs = { "capabilities:disk" = "ssd" }
}
resource "slab_volume_type" "gold" {
  name        = "gold"
  extra_specs = { "capabilities:tier" = "gold" }
}
resource "slab_volume_type" "hdd" {
  name        = "hdd"
  extra_specs = { "capabilities:disk" = "hdd" }
}
`

func snapshotConfig(typ, snapDesc string) string {
	return catalog + fmt.Sprintf(`
resource "slab_volume" "src" {
  name = "src"
  size = 1
  type = slab_volume_type.%s.name
}
resource "slab_snapshot" "before" {
  name        = "before"
  volume_id   = slab_volume.src.id
  description = %q
}
resource "slab_volume" "copy" {
  name               = "copy"
  size               = 2
  source_snapshot_id = slab_snapshot.before.id
}
resource "slab_volume" "apart" {
  name            = "apart"
  size            = 1
  scheduler_hints = { different_backend = [slab_volume.src.id] }
}
`, typ, snapDesc)
}

func TestAccSnapshotsClonesRetypesAndHints(t *testing.T) {
	e := newEnv(t, ssdAndHDD)
	var src string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             e.checkEmpty,
		Steps: []resource.TestStep{
			{
				Config: e.config(snapshotConfig("ssd", "first")),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("slab_volume.src", "pool", "fast#p"),
					resource.TestCheckResourceAttr("slab_snapshot.before", "pool", "fast#p"),
					resource.TestCheckResourceAttr("slab_snapshot.before", "size", "1"),
					resource.TestCheckResourceAttr("slab_snapshot.before", "status", "available"),
					resource.TestCheckResourceAttr("slab_volume.copy", "pool", "fast#p"),
					fileSize("slab_volume.copy", 2),
					resource.TestCheckResourceAttr("slab_volume.apart", "pool", "slow#p"),
					saveID("slab_volume.src", &src),
				),
			},
			{ResourceName: "slab_snapshot.before", ImportState: true, ImportStateVerify: true},
			{ResourceName: "slab_volume.copy", ImportState: true, ImportStateVerify: true},
			{ResourceName: "slab_volume_type.ssd", ImportState: true, ImportStateVerify: true},
			// An import {} block adopts the same objects at plan time.
			{ResourceName: "slab_volume.src", ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				Config: e.config(snapshotConfig("ssd", "first"))},
			{ResourceName: "slab_snapshot.before", ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				Config: e.config(snapshotConfig("ssd", "first"))},
			{
				// The fast pool also passes gold's filters: a retype in
				// place, and the snapshot's description changes in place.
				Config: e.config(snapshotConfig("gold", "second")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("slab_volume.src", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("slab_snapshot.before", plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					compareID("slab_volume.src", &src, true),
					resource.TestCheckResourceAttr("slab_volume.src", "type", "gold"),
					resource.TestCheckResourceAttr("slab_snapshot.before", "description", "second"),
				),
			},
			{
				// The fast pool fails hdd's filters: the CLI's policy, a
				// plan-time diagnostic with the filter's reason.
				Config:      e.config(snapshotConfig("hdd", "second")),
				ExpectError: regexp.MustCompile(`(?s)Volume\s+cannot\s+be\s+retyped\s+in\s+place.*fast#p.*CapabilitiesFilter`),
			},
		},
	})
}

func TestAccNoValidPoolNamesEveryPoolsReason(t *testing.T) {
	e := newEnv(t, ssdAndHDD)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             e.checkEmpty,
		Steps: []resource.TestStep{
			{
				Config: e.config(`
resource "slab_volume_type" "nvme" {
  name        = "nvme"
  extra_specs = { "capabilities:disk" = "nvme" }
}
`),
			},
			{
				Config: e.config(`
resource "slab_volume_type" "nvme" {
  name        = "nvme"
  extra_specs = { "capabilities:disk" = "nvme" }
}
resource "slab_volume" "v" {
  name = "v"
  size = 1
  type = slab_volume_type.nvme.name
}
`),
				ExpectError: regexp.MustCompile(`(?s)No valid pool for volume\.v.*fast#p.*CapabilitiesFilter.*slow#p.*CapabilitiesFilter`),
			},
		},
	})
}

func TestAccDataSourcesReadPoolsAndTypes(t *testing.T) {
	e := newEnv(t, ssdAndHDD)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             e.checkEmpty,
		Steps: []resource.TestStep{
			{
				Config: e.config(`
resource "slab_qos" "q" {
  name  = "q"
  specs = { total_iops_sec = "500" }
}
resource "slab_volume_type" "ssd" {
  name        = "ssd"
  extra_specs = { "capabilities:disk" = "ssd" }
  qos         = slab_qos.q.name
}
resource "slab_volume" "v" {
  name = "v"
  size = 4
  type = slab_volume_type.ssd.name
}
`),
			},
			{
				Config: e.config(`
resource "slab_qos" "q" {
  name  = "q"
  specs = { total_iops_sec = "500" }
}
resource "slab_volume_type" "ssd" {
  name        = "ssd"
  extra_specs = { "capabilities:disk" = "ssd" }
  qos         = slab_qos.q.name
}
resource "slab_volume" "v" {
  name = "v"
  size = 4
  type = slab_volume_type.ssd.name
}
data "slab_pools" "all" {}
data "slab_volume_type" "ssd" {
  name = "ssd"
}
`),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("data.slab_pools.all", "pools.#", "2"),
					resource.TestCheckResourceAttr("data.slab_pools.all", "pools.0.name", "fast#p"),
					resource.TestCheckResourceAttr("data.slab_pools.all", "pools.0.provisioned_capacity_gb", "4"),
					resource.TestCheckResourceAttr("data.slab_pools.all", "pools.0.total_volumes", "1"),
					resource.TestCheckResourceAttr("data.slab_pools.all", "pools.1.name", "slow#p"),
					resource.TestCheckResourceAttr("data.slab_pools.all", "pools.1.provisioned_capacity_gb", "0"),
					resource.TestCheckResourceAttr("data.slab_volume_type.ssd", "extra_specs.capabilities:disk", "ssd"),
					resource.TestCheckResourceAttr("data.slab_volume_type.ssd", "qos", "q"),
					resource.TestCheckResourceAttr("data.slab_volume_type.ssd", "qos_specs.total_iops_sec", "500"),
					resource.TestCheckResourceAttrPair("data.slab_volume_type.ssd", "id", "slab_volume_type.ssd", "id"),
				),
			},
		},
	})
}
