volume "db" {
  size = "big"
}
