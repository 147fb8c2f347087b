locals {
  a = local.b
  b = volume.loop.name
}

volume "loop" {
  size        = 10
  description = local.a
}
