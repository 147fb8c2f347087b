package config

import "time"

// BackupRepository is a `backup_repository` block: where backups are kept.
type BackupRepository struct {
	Common
	Driver      string // "posix"
	Path        string // made absolute against Config.Dir
	Compression string // "none", "zstd" (default) or "gzip"
	// ChunkSize is the size in bytes of one stored object, a multiple of
	// HashBlockSize; default DefaultChunkSize.
	ChunkSize int64
}

// Backup is a `backup` block instance. Every argument is fixed at
// creation: changing any of them takes a new backup.
type Backup struct {
	Common
	Volume      string // address of the volume
	Repository  string // address of the backup_repository
	Incremental bool
	Description string
}

// BackupPolicy is a `backup_policy` block: backups taken when due and
// pruned beyond Keep, per volume.
type BackupPolicy struct {
	Common
	Volumes     []string // addresses of volumes, sorted, without duplicates
	Repository  string   // address of the backup_repository
	Every       time.Duration
	Keep        int
	Incremental bool
}

// Repository drivers, compressions and chunk sizes of backup repositories.
var (
	BackupRepositoryDrivers = []string{"posix"}
	BackupCompressions      = []string{"none", "zstd", "gzip"}
)

const (
	// HashBlockSize is the unit a backup hashes and compares: 32 KiB.
	HashBlockSize = 32 << 10
	// DefaultChunkSize is a repository's default object size: 64 MiB.
	DefaultChunkSize = 64 << 20
	// MaxChunkSize bounds one object so that a restore's memory stays small.
	MaxChunkSize = 1 << 30
)
