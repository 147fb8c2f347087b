volume "db" {
  size = 10
  type = "platinum"
}
