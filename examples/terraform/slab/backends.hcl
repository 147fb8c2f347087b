# The storage the provider places volumes on, in slab's own language: the
# same file a slab CLI configuration would hold. The provider reads the
# backend and pool blocks (and the slab block's state and scheduler); a slab
# CLI pointed at this directory shares the pools and the state store.
slab {
  stack = "storage"
}

backend "local" {
  driver            = "file"
  availability_zone = "az1"

  pool "fast" {
    path                        = "pools/fast"
    max_over_subscription_ratio = 20
    reserved_percentage         = 5
    capabilities = {
      disk = "ssd"
    }
  }

  pool "bulk" {
    path = "pools/bulk"
    capabilities = {
      disk = "hdd"
    }
  }
}
