qos "gold" {
  specs = { total_iops_sec = 1000 }
}

volume "db" {
  size = 10
  type = qos.gold
}
