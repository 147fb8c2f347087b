volume "db" {
  size = 10
}

backup_repository "nas" {
  driver = "posix"
  path   = "/srv/backups"
}

snapshot "s" { volume = volume.db }

backup_policy "db" {
  volumes    = [volume.db, snapshot.s]
  repository = backup_repository.nas
  every      = "24h"
  keep       = 7
}
