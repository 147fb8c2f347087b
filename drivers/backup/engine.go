package backup

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/slab-storage/slab/drivers"
)

// Source is the point-in-time image a backup reads; drivers.BackupImage
// satisfies it.
type Source interface {
	io.ReaderAt
	Size() int64
	Allocated() ([]drivers.Extent, error)
	Changed() (ranges []drivers.Extent, ok bool, err error)
}

// Target is the volume a restore writes; drivers.RestoreTarget satisfies it.
type Target interface {
	io.WriterAt
	Size() int64
	PunchHole(off, length int64) error
}

// Request names a backup to take.
type Request struct {
	ID       string
	VolumeID string
	// ParentID chains the backup to an existing one of the same volume;
	// "" takes a full backup.
	ParentID    string
	Description string
	Created     time.Time // zero means now
}

// Options tune a backup.
type Options struct {
	ChunkSize   int64       // 0 means DefaultChunkSize
	Compression Compression // "" means zstd
	// Workers hash and compress in parallel; 0 means GOMAXPROCS.
	Workers  int
	Progress Progress
}

// Progress receives the bytes done out of the total as work proceeds,
// from one goroutine at a time; total does not change during a run.
type Progress interface {
	Progress(done, total int64)
}

// ProgressFunc adapts a function to Progress.
type ProgressFunc func(done, total int64)

// Progress calls f.
func (f ProgressFunc) Progress(done, total int64) { f(done, total) }

// How an incremental found what changed.
const (
	PathFull   = "full"           // every allocated block read
	PathShared = "shared-extents" // unchanged ranges known from shared extents, only the rest read
	PathHashed = "hashed"         // every allocated block read, hashed and compared with the parent's
)

// Stats reports what a backup, restore or verify did.
type Stats struct {
	Path string // PathFull, PathShared or PathHashed (backups only)
	Size int64  // the volume's size
	// BytesRead were read from the source (backup) or the repository
	// (restore, verify, as stored).
	BytesRead int64
	// BytesHashed were hashed to compare with the parent.
	BytesHashed int64
	// BytesSkipped were known unchanged from shared extents, unread.
	BytesSkipped int64
	// DataBytes is the uncompressed data stored (backup) or written
	// (restore); HoleBytes the ranges recorded or punched as holes.
	DataBytes int64
	HoleBytes int64
	// StoredBytes were written to the repository (backup).
	StoredBytes int64
	Objects     int
}

// ErrNeedsFull is wrapped by a NeedsFullError.
var ErrNeedsFull = errors.New("needs a full backup")

// NeedsFullError says an incremental cannot be taken: the planner takes a
// full backup instead and says why in the plan.
type NeedsFullError struct {
	ID, ParentID          string
	Size, ParentSize      int64
	ParentVolumeID, Issue string
}

func (e *NeedsFullError) Error() string {
	if e.Issue != "" {
		return fmt.Sprintf("backup %s: %s, so it needs a full backup", e.ID, e.Issue)
	}
	return fmt.Sprintf("backup %s: the volume is %d bytes, its parent %s was %d bytes: it needs a full backup", e.ID, e.Size, e.ParentID, e.ParentSize)
}

// Grew reports whether the volume grew since the parent.
func (e *NeedsFullError) Grew() bool { return e.Issue == "" && e.Size > e.ParentSize }

func (e *NeedsFullError) Unwrap() error { return ErrNeedsFull }

// ErrCorrupt is wrapped by every error about damaged or missing backup
// data, so callers can tell it from an I/O failure of the target.
var ErrCorrupt = errors.New("backup is damaged")

// CorruptError names the backup and object that failed a check.
type CorruptError struct {
	ID     string // backup
	Object string // object name, or "" for the backup as a whole
	Err    error
}

func (e *CorruptError) Error() string {
	if e.Object == "" {
		return fmt.Sprintf("backup %s is damaged: %v", e.ID, e.Err)
	}
	return fmt.Sprintf("backup %s is damaged: object %s: %v", e.ID, e.Object, e.Err)
}

func (e *CorruptError) Unwrap() []error { return []error{ErrCorrupt, e.Err} }

// ErrNotFound is wrapped when a backup has no manifest.
var ErrNotFound = errors.New("backup not found")

// ErrExists is wrapped when Backup is asked for an ID that is complete.
var ErrExists = errors.New("backup already exists")

// Dependents returns the IDs of backups whose parent is id.
func Dependents(backups []*Manifest, id string) []string {
	var out []string
	for _, m := range backups {
		if m.ParentID == id {
			out = append(out, m.ID)
		}
	}
	return out
}
