backend "b" {
  driver = "file"
  pool "p" {
    path = "pool
  }
}
