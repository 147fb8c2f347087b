volume "db" {
  size = 10
}

volume "db" {
  size = 20
}
