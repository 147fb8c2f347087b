volume_type "gold" {}

snapshot "nightly" {
  volume = volume_type.gold
}
