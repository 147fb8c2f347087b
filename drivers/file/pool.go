//go:build linux

package file

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/slab-storage/slab/drivers"
)

// DriverName is the name the driver registers under.
const DriverName = "file"

// DriverVersion is reported as driver_version in Stats.
const DriverVersion = "1.0.0"

const (
	volumesDir     = "volumes"
	snapshotsDir   = "snapshots"
	volumePrefix   = "volume-"
	snapshotPrefix = "snapshot-"
	// tempPrefix starts with a dot: ValidID never allows one, so a temp name
	// can never collide with, or be listed as, a real object.
	tempPrefix = ".tmp-"
)

// Reflink modes, from the pool option "reflink".
const (
	reflinkAuto   = "auto"   // clone by FICLONE when possible, else copy
	reflinkAlways = "always" // fail rather than fall back to a full copy
	reflinkNever  = "never"  // always make an independent sparse copy
)

func init() {
	drivers.Register(DriverName, func(cfg drivers.PoolConfig) (drivers.Pool, error) {
		return Open(cfg)
	})
}

// Pool is one file-driver pool: a directory holding volumes and snapshots.
// It is safe for concurrent use.
type Pool struct {
	cfg     drivers.PoolConfig
	root    string // absolute, cleaned pool path
	volDir  string // root/volumes
	snapDir string // root/snapshots
	ratio   string // max_over_subscription_ratio as reported
	reflink string
	locks   keyedMutex
}

var _ drivers.Pool = (*Pool)(nil)

// Open checks cfg, creates the pool directory and its sub-directories when
// missing (mode 0700) and removes temp files left by crashed operations.
//
// Options (cfg.Options):
//
//	reflink = "auto" (default) | "always" | "never"
func Open(cfg drivers.PoolConfig) (*Pool, error) {
	if cfg.Path == "" {
		return nil, fmt.Errorf("file pool %s: path is required", cfg.FullName())
	}
	root, err := filepath.Abs(cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("file pool %s: %w", cfg.FullName(), err)
	}
	p := &Pool{
		cfg:     cfg,
		root:    root,
		volDir:  filepath.Join(root, volumesDir),
		snapDir: filepath.Join(root, snapshotsDir),
		ratio:   "20.0",
		reflink: reflinkAuto,
	}
	if err := p.parseConfig(); err != nil {
		return nil, fmt.Errorf("file pool %s: %w", cfg.FullName(), err)
	}
	for _, d := range []string{root, p.volDir, p.snapDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("file pool %s: %w", cfg.FullName(), err)
		}
		// MkdirAll succeeds on an existing non-directory only if it is a
		// symlink to a directory; refuse a pool we would not fully own.
		fi, err := os.Lstat(d)
		if err != nil {
			return nil, fmt.Errorf("file pool %s: %w", cfg.FullName(), err)
		}
		if d != root && !fi.IsDir() {
			return nil, fmt.Errorf("file pool %s: %s is not a directory", cfg.FullName(), d)
		}
	}
	if err := p.removeStaleTemps(); err != nil {
		return nil, fmt.Errorf("file pool %s: removing stale temp files: %w", cfg.FullName(), err)
	}
	return p, nil
}

func (p *Pool) parseConfig() error {
	cfg := p.cfg
	if cfg.ReservedPercentage < 0 || cfg.ReservedPercentage > 100 {
		return fmt.Errorf("reserved_percentage must be 0..100, got %d", cfg.ReservedPercentage)
	}
	if r := strings.TrimSpace(cfg.MaxOverSubscriptionRatio); r != "" {
		if r != "auto" {
			v, err := strconv.ParseFloat(r, 64)
			if err != nil || v < 0 {
				return fmt.Errorf("max_over_subscription_ratio must be a number ≥ 0 or \"auto\", got %q", r)
			}
		}
		p.ratio = r
	}
	for k, v := range cfg.Options {
		switch k {
		case "reflink":
			switch v {
			case reflinkAuto, reflinkAlways, reflinkNever:
				p.reflink = v
			default:
				return fmt.Errorf("option reflink must be \"auto\", \"always\" or \"never\", got %q", v)
			}
		default:
			return fmt.Errorf("unknown option %q (known: reflink)", k)
		}
	}
	return nil
}

// Path is the pool's absolute directory.
func (p *Pool) Path() string { return p.root }

// Close releases nothing: a Pool holds no open files between calls.
func (p *Pool) Close() error { return nil }

// volumePath is the final name of a volume; id must have been checked.
func (p *Pool) volumePath(id string) string {
	return filepath.Join(p.volDir, volumePrefix+id)
}

// snapParent is the directory holding one volume's snapshots.
func (p *Pool) snapParent(volumeID string) string {
	return filepath.Join(p.snapDir, volumePrefix+volumeID)
}

func (p *Pool) snapshotPath(volumeID, id string) string {
	return filepath.Join(p.snapParent(volumeID), snapshotPrefix+id)
}

// parseName returns the ID in a name "<prefix><id>", if it is one.
func parseName(name, prefix string) (string, bool) {
	id, ok := strings.CutPrefix(name, prefix)
	if !ok || !drivers.ValidID(id) {
		return "", false
	}
	return id, true
}
