volume "db" {
  size = 10
}

backup_repository "nas" {
  driver = "posix"
  path   = "/srv/backups"
}

backup_policy "db" {
  volumes    = [volume.db]
  repository = backup_repository.nas
  every      = "10s"
  keep       = 7
}
