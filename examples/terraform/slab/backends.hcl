# The storage the provider places volumes on, in slab's own language: the
# same file a slab CLI configuration would hold. The provider reads the
# backend, pool and backup_repository blocks (and the slab block's state and
# scheduler); a slab CLI pointed at this directory shares the pools, the
# repository and the state store.
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

# Where slab_backup resources store backups (repository = "local"): a
# directory, such as an NFS mount, relative to this one here.
backup_repository "local" {
  driver      = "posix"
  path        = "backups"
  compression = "zstd"
}
