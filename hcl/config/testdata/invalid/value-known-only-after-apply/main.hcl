volume "a" {
  size = 10
}

volume "b" {
  size     = 10
  metadata = { parent = volume.a.id }
}
