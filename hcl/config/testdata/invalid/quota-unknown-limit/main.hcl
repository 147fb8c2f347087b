slab {
  quota {
    volume = 10
  }
}
