volume "db" {
  size = 10
}

volume "copy" {
  size   = 10
  source = { backup = volume.db }
}
