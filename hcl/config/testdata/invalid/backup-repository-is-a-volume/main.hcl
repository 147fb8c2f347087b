volume "db" {
  size = 10
}

backup_repository "nas" {
  driver = "posix"
  path   = "/srv/backups"
}

backup "weekly" {
  volume     = volume.db
  repository = volume.db
}
