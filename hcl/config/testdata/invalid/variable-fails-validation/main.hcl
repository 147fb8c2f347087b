variable "db_size" {
  type    = number
  default = 5000

  validation {
    condition     = var.db_size <= 1024
    error_message = "db_size must be at most 1024 GiB."
  }
}
