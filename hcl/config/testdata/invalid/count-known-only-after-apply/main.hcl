volume "a" {
  size = 10
}

volume "b" {
  count = volume.a.id == "" ? 0 : 1
  size  = 10
}
