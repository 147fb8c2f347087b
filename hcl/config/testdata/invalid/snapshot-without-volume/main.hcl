snapshot "nightly" {
  description = "which volume?"
}
