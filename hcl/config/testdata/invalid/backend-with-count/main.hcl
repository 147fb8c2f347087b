backend "ssd" {
  count  = 2
  driver = "file"
  pool "fast" {
    path = "/srv/fast"
  }
}
