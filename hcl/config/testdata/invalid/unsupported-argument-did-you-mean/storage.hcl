backend "ssd" {
  driver = "file"
  pool "fast" {
    path = "/srv/slab/fast"
  }
}

volume_type "gold" {}

volume "db" {
  type = volume_type.gold
  sise = 20
}
