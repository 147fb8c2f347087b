slab {
  stack = "prod"
}
