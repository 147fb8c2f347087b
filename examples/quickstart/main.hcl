# Quickstart: one file-driver pool in a local directory, a QoS spec, a
# volume type, two volumes, a snapshot and a volume made from it.
slab {
  stack = "quickstart"
}

backend "local" {
  driver            = "file"
  availability_zone = "az1"

  pool "default" {
    path                        = "pools/default"
    max_over_subscription_ratio = 20
    reserved_percentage         = 5
    capabilities = {
      disk = "ssd"
    }
  }
}

qos "standard" {
  consumer = "front-end"
  specs = {
    total_iops_sec_per_gb     = 30
    total_iops_sec_per_gb_min = 100
    total_iops_sec_max        = 1000
  }
}

volume_type "standard" {
  extra_specs = {
    "provisioning:type" = "thin"
  }
  qos = qos.standard
}

variable "apps" {
  type        = set(string)
  default     = ["web", "db"]
  description = "One volume per application."
}

volume "app" {
  for_each    = var.apps
  size        = 2
  type        = volume_type.standard
  description = "data for ${each.key}"
  metadata = {
    app = each.key
  }
}

snapshot "db-initial" {
  volume = volume.app["db"]
}

volume "db-copy" {
  source = { snapshot = snapshot.db-initial }
  size   = 3
}

output "db_volume_id" {
  value = volume.app["db"].id
}

output "db_copy_pool" {
  value = volume.db-copy.pool
}
