volume "db" {
  size = 1.5
}
