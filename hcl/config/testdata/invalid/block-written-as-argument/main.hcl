volume "db" {
  size      = 10
  lifecycle = { prevent_destroy = true }
}
