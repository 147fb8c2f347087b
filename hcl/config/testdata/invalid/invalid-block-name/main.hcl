volume "DB_Main" {
  size = 10
}
