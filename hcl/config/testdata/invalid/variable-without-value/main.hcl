variable "db_size" {
  type = number
}

volume "db" {
  size = var.db_size
}
