volume "db" {
  count = -1
  size  = 10
}
