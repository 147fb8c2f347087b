volume_type "gold" {}

volume "db" {
  size = 10
  type = volume_type.gold.id
}
