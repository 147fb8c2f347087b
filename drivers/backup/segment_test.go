package backup

import "testing"

func TestSegmentSize(t *testing.T) {
	const MiB = 1 << 20
	tests := []struct {
		name    string
		total   int64
		chunk   int64
		workers int
		want    int64
	}{
		{"a full backup of a large volume is cut into whole chunks", 4 << 30, 64 * MiB, 3, 64 * MiB},
		{"work for one chunk per worker is cut into whole chunks", 192 * MiB, 64 * MiB, 3, 64 * MiB},
		{"an incremental's 20 MiB is shared out four segments a worker, in whole hash blocks", 20 * MiB, 64 * MiB, 3, 1769472},
		{"a little work is never cut below 1 MiB", 100 << 10, 64 * MiB, 3, MiB},
		{"a chunk smaller than 1 MiB still bounds a segment", 512 << 10, 256 << 10, 4, 256 << 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &backupRun{opts: Options{ChunkSize: tt.chunk, Workers: tt.workers}}
			got := b.segmentSize(tt.total)
			if got != tt.want {
				t.Errorf("segmentSize(%d) = %d, want %d", tt.total, got, tt.want)
			}
			if got%HashBlockSize != 0 {
				t.Errorf("segmentSize(%d) = %d is not whole hash blocks", tt.total, got)
			}
		})
	}
}
