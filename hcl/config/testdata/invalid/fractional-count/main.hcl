volume "db" {
  count = 2.5
  size  = 10
}
