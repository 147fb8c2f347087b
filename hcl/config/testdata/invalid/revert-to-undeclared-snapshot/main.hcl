volume "db" {
  size      = 10
  revert_to = snapshot.befroe
}

snapshot "before" { volume = volume.db }
