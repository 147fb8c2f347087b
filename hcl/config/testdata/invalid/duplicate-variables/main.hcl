variable "size" {
  default = 10
}

variable "size" {
  default = 20
}
