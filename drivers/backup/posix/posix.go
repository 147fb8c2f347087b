//go:build linux

package posix

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/drivers/backup"
)

const (
	backupPrefix = "backup-"
	// tempPrefix starts with a dot, which no object name has.
	tempPrefix = ".tmp-"
	// staleAge is how old a temp file must be before Open removes it; a
	// live writer renames its temp files within seconds.
	staleAge = time.Hour
)

// Repo is a posix backup repository. It is safe for concurrent use.
type Repo struct {
	root string

	mu     sync.Mutex
	staged map[string][]string // backup id → objects staged, not yet durable
}

var (
	_ backup.Repository   = (*Repo)(nil)
	_ backup.Staging      = (*Repo)(nil)
	_ backup.ObjectReader = (*Repo)(nil)
)

// DriverName is the name the repository driver registers under.
const DriverName = "posix"

func init() {
	backup.RegisterRepository(DriverName, func(cfg backup.RepositoryConfig) (backup.Repository, error) {
		if len(cfg.Options) > 0 {
			return nil, fmt.Errorf("posix backup repository: unknown options %v (it takes none)", slices.Sorted(maps.Keys(cfg.Options)))
		}
		return Open(cfg.Path)
	})
}

// Open opens the repository directory at path, creating it (mode 0700)
// when missing, and removes temp files a crash left behind.
func Open(path string) (*Repo, error) {
	if path == "" {
		return nil, errors.New("posix backup repository: path is required")
	}
	root, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("posix backup repository: %w", err)
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("posix backup repository: %w", err)
	}
	fi, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("posix backup repository: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("posix backup repository: %s is not a directory", root)
	}
	r := &Repo{root: root}
	r.removeStaleTemps()
	return r, nil
}

// Path is the repository's absolute directory.
func (r *Repo) Path() string { return r.root }

// dir is backup id's directory; it checks id and name.
func (r *Repo) dir(id string) (string, error) {
	if !drivers.ValidID(id) {
		return "", fmt.Errorf("invalid backup id %q", id)
	}
	return filepath.Join(r.root, backupPrefix+id), nil
}

func (r *Repo) path(id, name string) (string, error) {
	dir, err := r.dir(id)
	if err != nil {
		return "", err
	}
	if !validName(name) {
		return "", fmt.Errorf("invalid object name %q", name)
	}
	return filepath.Join(dir, name), nil
}

// validName allows the engine's object names: letters, digits, dashes.
func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Put implements backup.Repository: write a temp file, fsync it, rename
// it over the name and fsync the directory.
func (r *Repo) Put(ctx context.Context, id, name string, data []byte) error {
	final, err := r.write(ctx, id, name, data, true)
	if err != nil {
		return err
	}
	return syncDir(filepath.Dir(final))
}

// Stage implements backup.Staging: Put without the fsyncs, which Settle
// makes for every staged object at once.
func (r *Repo) Stage(ctx context.Context, id, name string, data []byte) error {
	final, err := r.write(ctx, id, name, data, false)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.staged == nil {
		r.staged = map[string][]string{}
	}
	r.staged[id] = append(r.staged[id], final)
	return nil
}

// Settle implements backup.Staging: fsync every object staged for id, in
// parallel (the filesystem's journal commits them together), then the
// backup's directory.
func (r *Repo) Settle(ctx context.Context, id string) error {
	dir, err := r.dir(id)
	if err != nil {
		return err
	}
	r.mu.Lock()
	paths := r.staged[id]
	delete(r.staged, id)
	r.mu.Unlock()
	errs := make(chan error, len(paths))
	sem := make(chan struct{}, settleParallelism)
	for _, p := range paths {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			errs <- fsyncFile(p)
		}()
	}
	for range paths {
		if e := <-errs; e != nil && err == nil {
			err = e
		}
	}
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(paths) == 0 {
		return nil
	}
	return syncDir(dir)
}

// settleParallelism bounds the fsyncs Settle has in flight.
const settleParallelism = 16

func fsyncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// write stores data as a temp file (fsynced when durable) and renames it
// to the object's name; it returns that name.
func (r *Repo) write(ctx context.Context, id, name string, data []byte, durable bool) (string, error) {
	final, err := r.path(id, name)
	if err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	dir := filepath.Dir(final)
	if err := os.Mkdir(dir, 0o700); err == nil {
		if err := syncDir(r.root); err != nil {
			return "", err
		}
	} else if !errors.Is(err, os.ErrExist) {
		return "", err
	}
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", err
	}
	tmp := filepath.Join(dir, tempPrefix+name+"-"+hex.EncodeToString(rnd[:]))
	direct := directOK(data)
	err = writeFile(tmp, data, direct, durable)
	if direct && errors.Is(err, unix.EINVAL) {
		// The filesystem has no direct I/O after all.
		err = writeFile(tmp, data, false, durable)
	}
	if err != nil {
		return "", err
	}
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return final, nil
}

// writeFile creates tmp holding data (durably if asked); on error tmp is
// gone.
// With direct, data goes straight to the device instead of through the
// page cache: a backup's objects are not read again soon, so caching them
// would cost a copy and evict what the host uses.
func writeFile(tmp string, data []byte, direct, durable bool) (err error) {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL | unix.O_NOFOLLOW
	if direct {
		flags |= unix.O_DIRECT
	}
	f, err := os.OpenFile(tmp, flags, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if durable {
		if err := f.Sync(); err != nil {
			return err
		}
	}
	return f.Close()
}

// directMin is the smallest object written with direct I/O; directAlign
// is the alignment direct I/O needs of memory and length (a page, which
// is at least any device's logical block).
const (
	directMin   = 1 << 20
	directAlign = 4096
)

// directOK reports whether data can be written with direct I/O: large,
// and page-aligned in memory and length (the engine's uncompressed
// objects are, being read into page-aligned buffers with direct I/O).
func directOK(data []byte) bool {
	return len(data) >= directMin && len(data)%directAlign == 0 &&
		uintptr(unsafe.Pointer(unsafe.SliceData(data)))%directAlign == 0
}

// Get implements backup.Repository.
func (r *Repo) Get(ctx context.Context, id, name string) ([]byte, error) {
	return r.ReadObject(ctx, id, name, nil)
}

// ReadObject implements backup.ObjectReader.
func (r *Repo) ReadObject(ctx context.Context, id, name string, buf []byte) ([]byte, error) {
	p, err := r.path(id, name)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_RDONLY|unix.O_NOFOLLOW, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", p, backup.ErrObjectNotFound)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", p)
	}
	b := buf[:0]
	if int64(cap(b)) < fi.Size() {
		b = make([]byte, fi.Size())
	}
	b = b[:fi.Size()]
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	return b, nil
}

// Delete implements backup.Repository. When the backup's directory is
// left empty it goes too (an rmdir that fails on a non-empty directory is
// cheaper than listing it after every object).
func (r *Repo) Delete(ctx context.Context, id, name string) error {
	p, err := r.path(id, name)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := unix.Unlink(p); err != nil && !errors.Is(err, unix.ENOENT) {
		return &os.PathError{Op: "unlink", Path: p, Err: err}
	}
	dir := filepath.Dir(p)
	if unix.Rmdir(dir) == nil {
		return syncDir(r.root)
	}
	if err := syncDir(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// Backups implements backup.Repository.
func (r *Repo) Backups(ctx context.Context) ([]string, error) {
	ents, err := os.ReadDir(r.root)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		id, ok := strings.CutPrefix(e.Name(), backupPrefix)
		if !ok || !e.IsDir() || !drivers.ValidID(id) {
			continue
		}
		names, err := r.Objects(ctx, id)
		if err != nil {
			return nil, err
		}
		if len(names) > 0 {
			out = append(out, id)
		}
	}
	return out, nil
}

// Objects implements backup.Repository.
func (r *Repo) Objects(ctx context.Context, id string) ([]string, error) {
	dir, err := r.dir(id)
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() && validName(e.Name()) {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out, nil
}

// removeStaleTemps is best effort: a temp file it cannot remove stays,
// and listings skip it anyway.
func (r *Repo) removeStaleTemps() {
	ents, err := os.ReadDir(r.root)
	if err != nil {
		return
	}
	for _, e := range ents {
		if id, ok := strings.CutPrefix(e.Name(), backupPrefix); ok && e.IsDir() && drivers.ValidID(id) {
			dir := filepath.Join(r.root, e.Name())
			r.removeTemps(dir, staleAge)
			// Only a directory nobody touched lately: a backup being taken
			// now may have just made its empty directory.
			if fi, err := os.Stat(dir); err == nil && time.Since(fi.ModTime()) >= staleAge {
				_ = unix.Rmdir(dir) // only succeeds when nothing is left
			}
		}
	}
}

// removeTemps removes temp files in dir older than age.
func (r *Repo) removeTemps(dir string, age time.Duration) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), tempPrefix) || !e.Type().IsRegular() {
			continue
		}
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) >= age {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// syncDir fsyncs a directory so renames and unlinks in it are durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, unix.EINVAL) {
		return err
	}
	return nil
}
