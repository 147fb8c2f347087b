volume "a" {
  size   = 10
  source = { volume = volume.b }
}

volume "b" {
  size   = 10
  source = { volume = volume.a }
}
