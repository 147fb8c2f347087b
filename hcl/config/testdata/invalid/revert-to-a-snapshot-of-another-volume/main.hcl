volume "db" {
  size      = 10
  revert_to = snapshot.other
}

volume "logs" {
  size = 10
}

snapshot "other" { volume = volume.logs }
