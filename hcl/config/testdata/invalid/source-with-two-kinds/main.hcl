volume "db" {
  size = 10
}

snapshot "nightly" {
  volume = volume.db
}

volume "copy" {
  size = 10
  source = {
    snapshot = snapshot.nightly
    volume   = volume.db
  }
}
