backend "b" {
  driver = "file"
  pool "p" {
    path = "pool"
  }
}
volume "a" {
  sise = 1
}
