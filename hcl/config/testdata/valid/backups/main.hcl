volume "db" {
  for_each  = toset(["a", "b"])
  size      = 10
}

volume "app" {
  size      = 4
  revert_to = snapshot.before-upgrade
}

snapshot "before-upgrade" { volume = volume.app }

backup_repository "nas" {
  driver     = "posix"
  path       = "backups"
  chunk_size = "4MiB"
}

backup_repository "archive" {
  driver      = "posix"
  path        = "/srv/archive"
  compression = "gzip"
  chunk_size  = 65536
}

backup "weekly" {
  volume      = volume.db["a"]
  repository  = backup_repository.nas
  incremental = true
  description = "weekly"
}

backup_policy "db" {
  volumes    = [for v in volume.db : v]
  repository = backup_repository.archive
  every      = "1d"
  keep       = 7
}

volume "restored" {
  size   = 10
  source = { backup = backup.weekly }
}
