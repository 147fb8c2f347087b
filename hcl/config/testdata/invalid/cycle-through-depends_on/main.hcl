volume "a" {
  size       = 10
  depends_on = [snapshot.b]
}

snapshot "b" {
  volume = volume.a
}
