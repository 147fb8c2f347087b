volume "db" {
  size = 10
