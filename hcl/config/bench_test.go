package config

import (
	"fmt"
	"strings"
	"testing"
)

const benchHeader = `
backend "ssd" {
  driver = "file"
  pool "fast" { path = "/srv/fast" }
}
qos "gold" { specs = { total_iops_sec = 1000 } }
volume_type "gold" { qos = qos.gold }
`

// separateBlocks is 10,000 volume blocks in one file, each with a type
// reference and metadata; withSnapshots adds a snapshot of each volume.
func separateBlocks(withSnapshots bool) map[string][]byte {
	var b strings.Builder
	b.WriteString(benchHeader)
	for i := range 10000 {
		fmt.Fprintf(&b, "volume \"v%d\" {\n  size     = %d\n  type     = volume_type.gold\n  metadata = { app = \"db\", n = \"%d\" }\n}\n", i, 1+i%100, i)
		if withSnapshots {
			fmt.Fprintf(&b, "snapshot \"s%d\" {\n  volume = volume.v%d\n}\n", i, i)
		}
	}
	return map[string][]byte{"main.hcl": []byte(b.String())}
}

// forEach is one volume block with for_each over a set of 10,000 names
// written as a list, as they usually are; withSnapshots adds a snapshot
// block with for_each over the volumes.
func forEach(withSnapshots bool) map[string][]byte {
	var b strings.Builder
	b.WriteString(benchHeader)
	b.WriteString("locals {\n  members = [")
	for i := range 10000 {
		fmt.Fprintf(&b, "%q, ", fmt.Sprintf("m%05d", i))
	}
	b.WriteString("]\n}\n")
	b.WriteString(`
volume "db" {
  for_each = toset(local.members)
  size     = 10
  type     = volume_type.gold
  metadata = { member = each.key }
}
`)
	if withSnapshots {
		b.WriteString(`
snapshot "db" {
  for_each = volume.db
  volume   = volume.db[each.key]
}
`)
	}
	return map[string][]byte{"main.hcl": []byte(b.String())}
}

func benchmarkLoad(b *testing.B, files map[string][]byte, volumes, snapshots int) {
	b.ReportAllocs()
	for b.Loop() {
		cfg, diags := LoadSources("/srv/slab", files, LoadOptions{})
		if diags.HasErrors() {
			b.Fatal(diags.Error())
		}
		if len(cfg.Volumes) != volumes || len(cfg.Snapshots) != snapshots {
			b.Fatalf("got %d volumes, %d snapshots", len(cfg.Volumes), len(cfg.Snapshots))
		}
	}
}

// BenchmarkLoad10kVolumes loads 10,000 volume instances written both ways
// the language allows, then the same with a snapshot of each.
func BenchmarkLoad10kVolumes(b *testing.B) {
	b.Run("separate-blocks", func(b *testing.B) { benchmarkLoad(b, separateBlocks(false), 10000, 0) })
	b.Run("for_each", func(b *testing.B) { benchmarkLoad(b, forEach(false), 10000, 0) })
	b.Run("separate-blocks+snapshots", func(b *testing.B) { benchmarkLoad(b, separateBlocks(true), 10000, 10000) })
	b.Run("for_each+snapshots", func(b *testing.B) { benchmarkLoad(b, forEach(true), 10000, 10000) })
}
