volume "db" {
  size = 10
}

output "db" {
  value = volume.db.address
}

output "db" {
  value = volume.db.name
}
