volume "restored" {
  size   = 10
  source = { backup = "weekly" }
}
