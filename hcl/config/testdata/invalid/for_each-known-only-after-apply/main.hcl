volume "a" {
  size = 10
}

snapshot "copies" {
  for_each = toset([volume.a.id])
  volume   = volume.a
}
