volume "db" {
  size = 10
}

backup_repository "nas" {
  driver = "posix"
  path   = "/srv/backups"
}

snapshot "s" { volume = volume.db }

backup "weekly" {
  volume     = snapshot.s
  repository = backup_repository.nas
}
