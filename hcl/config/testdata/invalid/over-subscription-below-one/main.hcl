backend "ssd" {
  driver = "file"
  pool "fast" {
    path                        = "/srv/fast"
    max_over_subscription_ratio = 0.5
  }
}
