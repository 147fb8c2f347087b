volume "db" {
  size = 10
}

backup_repository "nas" {
  driver     = "posix"
  path       = "/srv/backups"
  chunk_size = 100000
}
