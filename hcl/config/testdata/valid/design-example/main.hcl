# The example of DESIGN.md, without the blocks later work adds.
slab {
  stack = "prod-storage"
  state = "postgres://slab@db/slab"
}

backend "ssd" {
  driver            = "file"
  availability_zone = "az1"
  options           = { sparse = true, block_size = 4096 }
  pool "fast" {
    path                        = "/srv/slab/fast"
    max_over_subscription_ratio = 20
    reserved_percentage         = 5
    capabilities = {
      disk             = "ssd"
      storage_protocol = "iscsi"
      thin             = true
      iops             = 50000
      latency_ms       = 0.25
      zones            = ["a", "b"]
      tier             = { level = 1, name = "gold" }
    }
  }
  pool "bulk" {
    path                        = "bulk"
    max_over_subscription_ratio = "auto"
  }
}

backend "nas" {
  driver = "file"
  pool "main" {
    path = "/srv/slab/nas"
  }
}

qos "gold" {
  consumer = "front-end"
  specs    = { total_iops_sec_per_gb = 30, total_iops_sec_per_gb_min = 100, total_iops_sec_max = 1000, read_bytes_sec = 1e9 }
}

qos "default" {
  specs = { total_iops_sec = "500" }
}

volume_type "gold" {
  description = "fast and thin"
  extra_specs = { "capabilities:disk" = "ssd", "provisioning:type" = "thin", multiattach = true, "provisioning:min_vol_size" = 10 }
  qos         = qos.gold
}

variable "replicas" { default = 3 }

volume "db" {
  for_each          = toset(["a", "b", "c"])
  size              = 20 # GiB
  type              = volume_type.gold
  availability_zone = "az1"
  metadata          = { app = "postgres", member = each.key, primary = each.key == "a" }
  scheduler_hints   = { different_backend = [], query = ["=", "$free_capacity_gb", 100] }
  lifecycle { prevent_destroy = true }
}

snapshot "db-a-before-upgrade" { volume = volume.db["a"] }

volume "db-a-test" {
  source = { snapshot = snapshot.db-a-before-upgrade }
  size   = 30
  type   = "gold"
  lifecycle {
    create_before_destroy = true
    ignore_changes        = [metadata, size]
  }
}
