volume "db" {
  for_each = ["a", "b"]
  size     = 10
}
