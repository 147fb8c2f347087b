volume "db" {
  size      = 10
  revert_to = snapshot.nightly
}

snapshot "nightly" {
  for_each = toset(["a", "b"])
  volume   = volume.db
}
