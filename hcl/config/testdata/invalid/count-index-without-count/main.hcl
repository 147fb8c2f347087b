volume "db" {
  size        = 10
  description = "replica ${count.index}"
}
