volume "db" {
  description = "no size"
}
