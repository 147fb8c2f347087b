package backup

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestManifestCheck: a manifest with a valid checksum is still refused
// when its content could make restore read foreign objects or write
// outside the volume.
func TestManifestCheck(t *testing.T) {
	t.Parallel()
	valid := func() *Manifest {
		return &Manifest{
			Format: FormatVersion, ID: "b1", VolumeID: "v", Created: time.Unix(0, 0).UTC(),
			Size: 4 * HashBlockSize, ChunkSize: DefaultChunkSize, HashBlockSize: HashBlockSize, Compression: Zstd,
			Extents: []ManifestExtent{
				{Offset: 0, Length: HashBlockSize, Hole: true},
				{Offset: HashBlockSize, Length: HashBlockSize, Object: "chunk-00000001"},
				{Offset: 2 * HashBlockSize, Length: 2 * HashBlockSize, Object: "chunk-00000001", ObjectOffset: HashBlockSize},
			},
			Objects: []ObjectRef{{Name: "chunk-00000001", Compression: None, Length: 3 * HashBlockSize, StoredLength: 3 * HashBlockSize, SHA256: strings.Repeat("ab", 32)}},
			Hashes:  ObjectRef{Name: HashesName, Compression: None, StoredLength: 4 * 32, SHA256: strings.Repeat("cd", 32)},
		}
	}
	tests := []struct {
		name   string
		id     string
		change func(m *Manifest)
		want   string
	}{
		{"a valid manifest reads back", "b1", func(*Manifest) {}, ""},
		{"an object name with a path is refused", "b1", func(m *Manifest) { m.Objects[0].Name = "../../etc/passwd" }, "invalid object name"},
		{"an extent naming an unlisted object is refused", "b1", func(m *Manifest) { m.Extents[1].Object = "chunk-00000009" }, "not listed"},
		{"extents that leave a gap in their object are refused", "b1", func(m *Manifest) { m.Extents[2].ObjectOffset = 2 * HashBlockSize }, "want 32768"},
		{"an object longer than its extents is refused", "b1", func(m *Manifest) { m.Objects[0].Length += HashBlockSize; m.Objects[0].StoredLength += HashBlockSize }, "its extents"},
		{"the hash list under another name is refused", "b1", func(m *Manifest) { m.Hashes.Name = "chunk-00000001" }, `want "hashes"`},
		{"a manifest stored under another id is refused", "b2", func(*Manifest) {}, `manifest is for backup "b1"`},
		{"a hostile parent id is refused", "b1", func(m *Manifest) { m.ParentID = "../x" }, "invalid parent id"},
		{"an extent beyond the volume is refused", "b1", func(m *Manifest) { m.Extents[2].Length = 4 * HashBlockSize }, "outside the volume"},
		{"overlapping extents are refused", "b1", func(m *Manifest) { m.Extents[1].Offset = 0 }, "out of order"},
		{"an unaligned extent is refused", "b1", func(m *Manifest) { m.Extents[0].Length = 100 }, "unaligned"},
		{"a full backup with a gap is refused", "b1", func(m *Manifest) { m.Extents, m.Objects = m.Extents[:1], nil }, "extents end at"},
		{"an object listed twice is refused", "b1", func(m *Manifest) { m.Objects = append(m.Objects, m.Objects[0]) }, "listed twice"},
		{"another format version is refused by number", "b1", func(m *Manifest) { m.Format = 2 }, "repository format 2 is not supported"},
		{"a short hash list is refused", "b1", func(m *Manifest) { m.Hashes.StoredLength = 32 }, "hash list is 32 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := valid()
			tt.change(m)
			b, err := encodeManifest(m)
			if err != nil {
				t.Fatal(err)
			}
			_, err = decodeManifest(tt.id, b)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("decode: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("decode = %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestLayoutTakesEachRangeFromTheNewestBackup(t *testing.T) {
	t.Parallel()
	const B = HashBlockSize
	full := &Manifest{Size: 8 * B, Extents: []ManifestExtent{{Offset: 0, Length: 4 * B, Object: "a"}, {Offset: 4 * B, Length: 4 * B, Hole: true}}}
	inc1 := &Manifest{Size: 8 * B, Extents: []ManifestExtent{{Offset: B, Length: B, Hole: true}, {Offset: 5 * B, Length: 2 * B, Object: "b"}}}
	inc2 := &Manifest{Size: 8 * B, Extents: []ManifestExtent{{Offset: 6 * B, Length: 2 * B, Object: "c"}}}
	var got []string
	for _, p := range layout([]*Manifest{full, inc1, inc2}) {
		src := "hole"
		if p.ext != nil {
			src = p.ext.Object
		}
		got = append(got, src+":"+itoa(p.off/B)+"+"+itoa(p.n/B))
	}
	want := "a:0+1 hole:1+1 a:2+2 hole:4+1 b:5+1 c:6+2"
	if strings.Join(got, " ") != want {
		t.Errorf("layout = %s, want %s", strings.Join(got, " "), want)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
