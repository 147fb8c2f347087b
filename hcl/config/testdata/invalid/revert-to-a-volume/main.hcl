volume "db" {
  size      = 10
  revert_to = volume.db
}
