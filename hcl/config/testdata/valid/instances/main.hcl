volume_type "tier" {
  for_each    = { gold = "fast", silver = "cheap" }
  description = "${each.key}: ${each.value}"
}

volume "replica" {
  count       = 3
  size        = 10 + count.index
  type        = volume_type.tier["gold"]
  description = "replica ${count.index}"
}

volume "db" {
  for_each = { a = 10, b = 20 }
  size     = each.value
  type     = volume_type.tier[each.key == "a" ? "gold" : "silver"]
  metadata = { member = each.key }
}

snapshot "db" {
  for_each = volume.db
  volume   = volume.db[each.key]
}

snapshot "replica" {
  count  = length(volume.replica)
  volume = volume.replica[count.index]
}

volume "none" {
  count = 0
  size  = 1
}

volume "app" {
  size       = 5
  depends_on = [volume.replica[1], snapshot.db]
  scheduler_hints = {
    same_backend = [volume.db["a"].address]
  }
}

volume "clone" {
  size   = 10
  source = { volume = volume.replica[2] }
}
