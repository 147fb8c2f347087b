backend "ssd" {
  driver = "file"
  pool "fast" {
    reserved_percentage = 5
  }
}
