volume "db" {
  size = sizeof("10G")
}
