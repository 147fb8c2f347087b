volume "db" {
  size = local.size
}
