backend "ssd" {
  driver = "file"
  pool "fast" {
    path                = "/srv/fast"
    reserved_percentage = 101
  }
}
