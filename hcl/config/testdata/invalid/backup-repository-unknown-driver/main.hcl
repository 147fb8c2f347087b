volume "db" {
  size = 10
}

backup_repository "nas" {
  driver = "posxi"
  path   = "/srv/backups"
}
