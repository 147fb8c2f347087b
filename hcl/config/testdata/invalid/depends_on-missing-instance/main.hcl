volume "db" {
  for_each = toset(["a", "b"])
  size     = 10
}

volume "app" {
  size       = 10
  depends_on = [volume.db["c"]]
}
