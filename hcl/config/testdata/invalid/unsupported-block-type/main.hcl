volumes "db" {
  size = 10
}
