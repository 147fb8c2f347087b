//go:build linux

package file

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// staleAge is how old an unlocked temp file must be before Open removes
// it; it closes the short window between a creator's open and its flock.
const staleAge = time.Minute

// errMaybeDone marks a failure after the change itself was made (renamed,
// unlinked, truncated) but before it was durable: the object may or may
// not be in its new state, so a refresh must look before a retry.
var errMaybeDone = errors.New("the change was made but may not be durable")

// afterChange wraps an error that happened after the change was made.
func afterChange(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", errMaybeDone, err)
}

// errExists means the final name appeared while we worked (another process
// created the same ID); callers re-check it as an idempotent create.
var errExists = errors.New("already exists")

// pending is a temp file that becomes a real object only on commit. Its
// creator holds an exclusive flock on it until then, which tells Open's
// cleanup that the file is in use and not the leftover of a crash.
type pending struct {
	f    *os.File
	done bool
}

// newPending creates ".tmp-<kind>-<id>-<random>" in dir. The random part
// keeps two processes working on the same ID from sharing a temp file.
func newPending(dir, kind, id string) (*pending, error) {
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, err
	}
	name := filepath.Join(dir, tempPrefix+kind+"-"+id+"-"+hex.EncodeToString(rnd[:]))
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		os.Remove(name)
		return nil, &os.PathError{Op: "flock", Path: name, Err: err}
	}
	return &pending{f: f}, nil
}

// abort removes the temp file unless it was committed; safe to defer.
func (t *pending) abort() {
	if t == nil || t.done {
		return
	}
	t.done = true
	name := t.f.Name()
	t.f.Close()
	os.Remove(name)
}

// commit makes the file durable under final: fsync data, set mode, rename
// without replacing anything, fsync the directory so the name survives a
// crash too.
func (t *pending) commit(final string, mode os.FileMode) error {
	if mode != 0o600 {
		if err := t.f.Chmod(mode); err != nil {
			return err
		}
	}
	if err := t.f.Sync(); err != nil {
		return err
	}
	if err := renameNoReplace(t.f.Name(), final); err != nil {
		return err
	}
	t.done = true
	err := t.f.Close()
	if serr := syncDir(filepath.Dir(final)); err == nil {
		err = serr
	}
	return afterChange(err)
}

// renameNoReplace renames old to new, failing with errExists if new exists.
// RENAME_NOREPLACE is atomic; filesystems without it get link+unlink, which
// is equally no-clobber.
func renameNoReplace(old, new string) error {
	err := unix.Renameat2(unix.AT_FDCWD, old, unix.AT_FDCWD, new, unix.RENAME_NOREPLACE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
		if err = os.Link(old, new); err == nil {
			return os.Remove(old)
		}
		if errors.Is(err, os.ErrExist) {
			return errExists
		}
		return err
	}
	if errors.Is(err, unix.EEXIST) {
		return errExists
	}
	if err != nil {
		return &os.LinkError{Op: "rename", Old: old, New: new, Err: err}
	}
	return nil
}

// syncDir fsyncs a directory so renames and unlinks in it are durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, unix.EINVAL) {
		return err // some filesystems cannot fsync directories: not an error
	}
	return nil
}

// removeStaleTemps deletes temp files left by crashed operations: those no
// process holds a lock on and that are older than staleAge.
func (p *Pool) removeStaleTemps() error {
	dirs := []string{p.volDir}
	ents, err := os.ReadDir(p.snapDir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if _, ok := parseName(e.Name(), volumePrefix); ok && e.IsDir() {
			dirs = append(dirs, filepath.Join(p.snapDir, e.Name()))
		}
	}
	dirs = append(dirs, p.imageDirs()...)
	for _, dir := range dirs {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), tempPrefix) && e.Type().IsRegular() {
				removeIfStale(filepath.Join(dir, e.Name()))
			}
		}
		if dir != p.volDir {
			_ = unix.Rmdir(dir) // only succeeds when no snapshot is left
		}
	}
	return nil
}

// removeIfStale is best effort: a temp file it cannot judge stays, and
// listing ignores it anyway.
func removeIfStale(name string) {
	fi, err := os.Lstat(name)
	if err != nil || !fi.Mode().IsRegular() || time.Since(fi.ModTime()) < staleAge {
		return
	}
	f, err := os.OpenFile(name, os.O_RDONLY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return
	}
	defer f.Close()
	if unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) != nil {
		return // a live creator holds it
	}
	os.Remove(name)
}
