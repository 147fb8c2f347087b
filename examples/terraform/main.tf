# slab from Terraform / OpenTofu: a QoS spec, a volume type, a volume placed
# by slab's scheduler, a snapshot of it, a volume made from the snapshot, a
# backup of the volume and a volume restored from the backup.
# The objects are recorded in slab's state store (slab/.slab/state.db, set by
# the slab block in slab/) under the stack terraform-<workspace>.
terraform {
  required_providers {
    slab = {
      source = "slab-storage/slab"
    }
  }
}

provider "slab" {
  config_dir = "${path.module}/slab"
}

resource "slab_qos" "standard" {
  name     = "standard"
  consumer = "front-end"
  specs = {
    total_iops_sec_per_gb     = "30"
    total_iops_sec_per_gb_min = "100"
    total_iops_sec_max        = "1000"
  }
}

resource "slab_volume_type" "ssd" {
  name = "ssd"
  extra_specs = {
    "capabilities:disk" = "ssd"
    "provisioning:type" = "thin"
  }
  qos = slab_qos.standard.name
}

resource "slab_volume" "db" {
  name     = "db"
  size     = 2
  type     = slab_volume_type.ssd.name
  metadata = { app = "postgres" }
}

resource "slab_snapshot" "db_before_upgrade" {
  name      = "db-before-upgrade"
  volume_id = slab_volume.db.id
}

resource "slab_volume" "db_test" {
  name               = "db-test"
  size               = 3
  source_snapshot_id = slab_snapshot.db_before_upgrade.id
}

# Backups go to a backup_repository declared in slab/ and are immutable.
resource "slab_backup" "db_full" {
  name       = "db-full"
  volume_id  = slab_volume.db.id
  repository = "local"
}

resource "slab_volume" "db_restored" {
  name             = "db-restored"
  size             = slab_backup.db_full.size
  source_backup_id = slab_backup.db_full.id
}

data "slab_pools" "all" {
  depends_on = [slab_volume.db, slab_volume.db_test, slab_volume.db_restored]
}

output "db_pool" {
  value = slab_volume.db.pool
}

output "db_iops" {
  value = slab_volume.db.qos_limits["total_iops_sec"]
}

output "pools" {
  value = { for p in data.slab_pools.all.pools : p.name => p.provisioned_capacity_gb }
}
