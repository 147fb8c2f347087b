volume "a" {
  size        = 10
  description = volume.a.name
}
