volume "db" {
  count    = 2
  for_each = toset(["a", "b"])
  size     = 10
}
