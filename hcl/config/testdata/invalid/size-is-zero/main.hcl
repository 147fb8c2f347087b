volume "db" {
  size = 0
}
