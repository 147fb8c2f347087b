volume "db" {
  size     = 10
  metadata = { member = each.key }
}
