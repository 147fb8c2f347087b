# A configuration with one of each kind of mistake, rendered into
# testdata/diagnostics.golden by TestWriteDiagnosticsGolden.
backend "ssd" {
  driver = "file"
  pool "fast" {
    path                = "/srv/slab/fast"
    reserved_percentage = 150
  }
}

volume "db" {
  sise = 20
}

volume "logs" {
	size = "big"
}

volume "web" {
  size = 10
  type = qos.gold
}

qos "gold" {
  specs = { total_iops_sec = 1000 }
}

volume "multi" {
  size = 10
  metadata = {
    app   = "db"
    ports = [5432]
  }
}

volume "base" {
  size = 1
}

volume "copy" {
  size = 1
  source = {
    volume   = volume.base
    snapshot = volume.base
  }
}
