volume_type "tier" {
  for_each = toset(["gold", "silver"])
}

volume "db" {
  size = 10
  type = volume_type.tier
}
