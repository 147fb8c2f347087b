backend "ssd" {
  driver = "file"
  pool "fast" {
    path = "/srv/fast"
  }
}
