slab {
  stack = "Prod Storage"
}
