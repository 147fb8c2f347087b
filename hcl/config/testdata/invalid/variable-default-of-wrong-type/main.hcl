variable "db_size" {
  type    = number
  default = "large"
}
