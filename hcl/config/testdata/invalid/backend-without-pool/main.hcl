backend "ssd" {
  driver = "file"
}
