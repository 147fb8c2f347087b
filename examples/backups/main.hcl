# Backups: a repository in a local directory (an NFS mount in production),
# a backup taken once, a daily policy that keeps a week of backups, and a
# volume restored from the backup.
slab {
  stack = "backups"
}

backend "local" {
  driver = "file"

  pool "default" {
    path = "pools/default"
  }
}

volume "db" {
  size        = 2
  description = "database"
}

backup_repository "nas" {
  driver      = "posix"
  path        = "backups"
  compression = "zstd"
  chunk_size  = "16MiB"
}

# Taken once; changing any argument takes a new backup.
backup "db-weekly" {
  volume      = volume.db
  repository  = backup_repository.nas
  description = "before the schema upgrade"
}

# Each plan/apply takes the backups that are due and prunes beyond keep,
# never deleting a backup that a kept incremental needs.
backup_policy "daily" {
  volumes     = [volume.db]
  repository  = backup_repository.nas
  every       = "24h"
  keep        = 7
  incremental = true
}

# A new volume holding the backup's data.
volume "db-restored" {
  size   = 2
  source = { backup = backup.db-weekly }
}

output "restored_pool" {
  value = volume.db-restored.pool
}
