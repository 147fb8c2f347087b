locals {
  size = volume.db.size + 1
}

volume "db" {
  size = local.size
}
