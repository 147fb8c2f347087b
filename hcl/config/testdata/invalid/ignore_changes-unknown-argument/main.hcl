volume "db" {
  size = 10
  lifecycle {
    ignore_changes = [sizes]
  }
}
