volume "db" "extra" {
  size = 10
}
