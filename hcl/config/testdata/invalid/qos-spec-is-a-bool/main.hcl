qos "gold" {
  specs = { total_iops_sec = 1000, burst = true }
}
