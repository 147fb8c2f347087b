backend "ssd" {
  driver = "fiel"
  pool "fast" {
    path = "/srv/slab/fast"
  }
}
