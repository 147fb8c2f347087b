variable "token" {
  type      = string
  sensitive = true
  default   = "s3cret"
}

output "token" {
  value = "prefix-${var.token}"
}
