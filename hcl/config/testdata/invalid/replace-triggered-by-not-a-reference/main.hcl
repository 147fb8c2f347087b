volume "a" {
  size = 1
  lifecycle {
    replace_triggered_by = ["volume.b"]
  }
}
