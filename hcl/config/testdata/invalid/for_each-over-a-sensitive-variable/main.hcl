backend "b" {
  driver = "file"
  pool "p" {
    path = "pool"
  }
}

variable "names" {
  type      = set(string)
  sensitive = true
  default   = ["a"]
}

volume "v" {
  for_each = var.names
  size     = 1
}
