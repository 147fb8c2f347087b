volume "db" {
  size = 10
  type = volume_type.silver
}
