locals {
  size = 10
}

locals {
  size = 20
}
