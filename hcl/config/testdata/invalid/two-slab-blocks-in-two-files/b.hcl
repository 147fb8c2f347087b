slab {
  stack = "staging"
}
