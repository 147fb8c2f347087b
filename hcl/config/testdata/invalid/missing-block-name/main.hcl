volume {
  size = 10
}
