volume "a" {
  size = 10
}

volume "b" {
  size        = volume.a.sise
  description = "as big as a"
}
