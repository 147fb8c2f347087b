volume_type "gold" {
  quota {
    volumes   = 10
    gigabytes = -5
  }
}
