package config

import (
	"fmt"
	"strings"
	"testing"
)

// tenKBlocks is 10,000 separate volume blocks sharing one type, every
// tenth one snapshotted, so references and dependencies are exercised.
func tenKBlocks() map[string][]byte {
	var b strings.Builder
	b.WriteString(benchHeader)
	for i := range 10000 {
		fmt.Fprintf(&b, "volume \"v%d\" {\n  size = %d\n  type = volume_type.gold\n  metadata = { app = \"db\", n = \"%d\" }\n}\n", i, 1+i%100, i)
		if i%10 == 0 {
			fmt.Fprintf(&b, "snapshot \"s%d\" {\n  volume = volume.v%d\n}\n", i, i)
		}
	}
	return map[string][]byte{"main.hcl": []byte(b.String())}
}

// tenKForEach is one volume block with for_each over 10,000 keys and a
// snapshot block indexing it per key.
func tenKForEach() map[string][]byte {
	src := benchHeader + `
locals {
  names = toset(flatten([for i in range(100) : [for j in range(100) : format("m%02d%02d", i, j)]]))
}
volume "db" {
  for_each = local.names
  size     = 10
  type     = volume_type.gold
  metadata = { member = each.key }
}
snapshot "db" {
  for_each = volume.db
  volume   = volume.db[each.key]
}
`
	return map[string][]byte{"main.hcl": []byte(src)}
}

const benchHeader = `
backend "ssd" {
  driver = "file"
  pool "fast" { path = "/srv/fast" }
}
qos "gold" { specs = { total_iops_sec = 1000 } }
volume_type "gold" { qos = qos.gold }
`

func benchmarkLoad(b *testing.B, files map[string][]byte, wantVolumes int) {
	b.ReportAllocs()
	for b.Loop() {
		cfg, diags := LoadSources("/srv/slab", files, LoadOptions{})
		if diags.HasErrors() {
			b.Fatal(diags.Error())
		}
		if len(cfg.Volumes) != wantVolumes {
			b.Fatalf("got %d volumes", len(cfg.Volumes))
		}
	}
}

func BenchmarkLoad10kVolumes(b *testing.B) {
	b.Run("separate-blocks", func(b *testing.B) { benchmarkLoad(b, tenKBlocks(), 10000) })
	b.Run("for_each", func(b *testing.B) { benchmarkLoad(b, tenKForEach(), 10000) })
}
