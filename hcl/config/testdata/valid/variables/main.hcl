variable "from_default" {
  type    = string
  default = "default"
}
variable "from_env" {
  type    = number
  default = 1
}
variable "from_file" {
  default = "default"
}
variable "env_list" {
  type    = list(number)
  default = []
}
variable "from_cli" {
  type    = list(string)
  default = []
}
variable "env_then_file" {
  type    = string
  default = "default"
}
variable "file_then_cli" {
  type    = string
  default = "default"
}
variable "later_file_wins" {
  type    = string
  default = "default"
}
variable "json_file" {
  type    = map(number)
  default = {}
}
variable "untyped_cli" {
  default = 1
}
variable "settings" {
  type = object({
    size = number
    tags = optional(map(string), { team = "storage" })
  })
  default = { size = 7 }
}
variable "secret" {
  type        = string
  default     = "hunter2"
  sensitive   = true
  description = "a password"

  validation {
    condition     = length(var.secret) >= 6
    error_message = "The secret must have at least six characters."
  }
}

volume "db" {
  size     = var.from_env + var.settings.size
  metadata = merge(var.settings.tags, { owner = var.from_file })
}
