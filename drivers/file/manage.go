//go:build linux

package file

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"github.com/slab-storage/slab/drivers"
)

const opManageVolume = "manage volume"

// ListManageable reports the regular files in the pool's volumes directory
// that are not slab volumes (nor slab's temp files): images an operator
// copied there to adopt. Symlinks and directories are never offered.
func (p *Pool) ListManageable(ctx context.Context) ([]drivers.Manageable, error) {
	if err := ctx.Err(); err != nil {
		return nil, classify(opListVolumes, "", err)
	}
	ents, err := os.ReadDir(p.volDir)
	if err != nil {
		return nil, classify(opListVolumes, "", err)
	}
	var out []drivers.Manageable
	for _, e := range ents {
		name := e.Name()
		if !e.Type().IsRegular() || !manageableName(name) {
			continue
		}
		if _, isVolume := parseName(name, volumePrefix); isVolume {
			continue
		}
		info, err := e.Info()
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, classify(opListVolumes, "", err)
		}
		out = append(out, drivers.Manageable{Ref: name, SizeBytes: info.Size()})
	}
	return out, nil
}

// manageableName accepts plain, printable file names only: a reference
// never names a path, a hidden file or one of slab's temp files.
func manageableName(name string) bool {
	if name == "" || len(name) > 255 || strings.HasPrefix(name, ".") || strings.ContainsAny(name, "/\x00") || !utf8.ValidString(name) {
		return false
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// ManageVolume renames the file ref in the volumes directory to the volume
// id, without replacing anything, and reports it. The rename is atomic and
// made durable, so the file is either still ref or already the volume.
func (p *Pool) ManageVolume(ctx context.Context, ref, id string) (drivers.Volume, error) {
	if err := drivers.CheckID(opManageVolume, id); err != nil {
		return drivers.Volume{}, err
	}
	if err := ctx.Err(); err != nil {
		return drivers.Volume{}, classify(opManageVolume, id, err)
	}
	if !manageableName(ref) {
		return drivers.Volume{}, failed(opManageVolume, id, "%q is not a file name in the pool's volumes directory", ref)
	}
	if _, isVolume := parseName(ref, volumePrefix); isVolume {
		return drivers.Volume{}, failed(opManageVolume, id, "%q is already a slab volume", ref)
	}
	src := filepath.Join(p.volDir, ref)
	var st unix.Stat_t
	if err := unix.Lstat(src, &st); err != nil {
		if errors.Is(err, unix.ENOENT) {
			// A retry after a rename that was not recorded finds the volume.
			if err := unix.Lstat(p.volumePath(id), &st); err == nil && st.Mode&unix.S_IFMT == unix.S_IFREG {
				return volumeFromStat(id, p.volumePath(id), &st), nil
			}
			return drivers.Volume{}, notFound(opManageVolume, id, "file", ref)
		}
		return drivers.Volume{}, classify(opManageVolume, id, &os.PathError{Op: "lstat", Path: src, Err: err})
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return drivers.Volume{}, failed(opManageVolume, id, "%q is not a regular file", ref)
	}
	dst := p.volumePath(id)
	if err := renameNoReplace(src, dst); err != nil {
		return drivers.Volume{}, classify(opManageVolume, id, err)
	}
	if err := syncDir(p.volDir); err != nil {
		return drivers.Volume{}, classify(opManageVolume, id, afterChange(err))
	}
	if err := unix.Lstat(dst, &st); err != nil {
		return drivers.Volume{}, classify(opManageVolume, id, afterChange(&os.PathError{Op: "lstat", Path: dst, Err: err}))
	}
	return volumeFromStat(id, dst, &st), nil
}
