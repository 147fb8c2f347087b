package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/slab-storage/slab/state"
)

func BenchmarkZZRawScan(b *testing.B) {
	path := filepath.Join(b.TempDir(), "state.db")
	s := openAt(b, path)
	ctx := context.Background()
	for i := range 10000 {
		v := &state.Volume{ID: fmt.Sprintf("vol-%05d", i), Address: fmt.Sprintf("volume.v[%d]", i), Metadata: map[string]string{"owner": "x", "quote\"back\\slash": "line\nbreak ünïcode"}, Status: "available", Pool: "b#p"}
		s.Apply(ctx, "r", state.Write{Put: v})
	}
	db, _ := sql.Open("sqlite", path)
	defer db.Close()
	for b.Loop() {
		rows, err := db.Query(`SELECT id, address, name, pool, size, status, status_reason, type_id, availability_zone, source_kind, source_id, description, metadata, provider_location, created_at, updated_at FROM volumes WHERE stack = ? ORDER BY address, id`, "r")
		if err != nil {
			b.Fatal(err)
		}
		var ss [16]string
		var size int64
		n := 0
		for rows.Next() {
			if err := rows.Scan(&ss[0], &ss[1], &ss[2], &ss[3], &size, &ss[5], &ss[6], &ss[7], &ss[8], &ss[9], &ss[10], &ss[11], &ss[12], &ss[13], &ss[14], &ss[15]); err != nil {
				b.Fatal(err)
			}
			n++
		}
		rows.Close()
		if n != 10000 {
			b.Fatal(n)
		}
	}
}
