volume "db" {
  size = 10
}

backup_repository "nas" {
  count  = 2
  driver = "posix"
  path   = "/srv/backups"
}
