variable "db_size" {
  default = 10
}

volume "db" {
  size = var.db_sise
}
