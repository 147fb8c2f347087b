backend "ssd" {
  driver = "file"
  pool "fast" {
    path = "/srv/a"
  }
  pool "fast" {
    path = "/srv/b"
  }
}
