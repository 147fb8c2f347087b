backend "ssd" {
  driver = "file"
  pool "Fast Pool" {
    path = "/srv/fast"
  }
}
