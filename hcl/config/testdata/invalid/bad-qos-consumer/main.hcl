qos "gold" {
  consumer = "frontend"
  specs    = { total_iops_sec = 1000 }
}
