variable "x" {
  default = 1
}

volume "db" {
  size       = 10
  depends_on = [var.x]
}
