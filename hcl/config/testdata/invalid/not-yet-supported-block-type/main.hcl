volume "db" {
  size = 10
}

attachment "db-host1" {
  volume    = volume.db
  connector = { host = "host1" }
}
