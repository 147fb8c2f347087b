output "id" {
  value = volume.missing.id
}
