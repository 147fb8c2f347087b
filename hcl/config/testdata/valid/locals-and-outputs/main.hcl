locals {
  prefix = "prod"
  first  = volume.data[0]
  ids    = [for v in volume.data : v.id]
  first_ = local.first
}

volume "data" {
  count = 2
  size  = 10
}

volume "logs" {
  size        = 5
  description = "${local.prefix} logs next to ${local.first_.address}"
}

snapshot "logs" {
  volume = volume.logs
}

output "ids" {
  value       = local.ids
  description = "the data volume ids"
}

output "logs" {
  value = {
    id     = volume.logs.id
    size   = volume.logs.size
    status = volume.logs.status
  }
}

output "snapshot_size" {
  value     = snapshot.logs.size
  sensitive = true
}

output "static" {
  value = "${local.prefix}-${length(volume.data)}"
}
