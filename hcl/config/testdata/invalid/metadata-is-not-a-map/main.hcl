volume "db" {
  size     = 10
  metadata = "app=postgres"
}
