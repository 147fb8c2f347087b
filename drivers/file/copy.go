//go:build linux

package file

import (
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// copyBufSize is the read/write unit of the sparse copy.
const copyBufSize = 1 << 20

// copyData makes dst (a new, empty file) a point-in-time copy of src and
// reports whether it shares src's blocks. It clones with FICLONE when the
// pool allows it and the filesystem can (instant, copy-on-write), and
// otherwise copies only src's data extents, so holes stay holes.
func (p *Pool) copyData(ctx context.Context, dst, src *os.File) (reflinked bool, err error) {
	if p.reflink != reflinkNever {
		err := unix.IoctlFileClone(int(dst.Fd()), int(src.Fd()))
		if err == nil {
			return true, nil
		}
		if !cloneUnsupported(err) {
			return false, &os.LinkError{Op: "reflink", Old: src.Name(), New: dst.Name(), Err: err}
		}
		if p.reflink == reflinkAlways {
			return false, fmt.Errorf("reflink (FICLONE) is not supported by the filesystem of %s (%v) and the pool option reflink = %q forbids a full copy",
				p.root, err, reflinkAlways)
		}
	}
	return false, sparseCopy(ctx, dst, src)
}

// cloneUnsupported reports the errors FICLONE returns when the filesystem
// (or this pair of files) cannot share blocks, as opposed to real failures
// such as ENOSPC or EIO.
func cloneUnsupported(err error) bool {
	for _, e := range []error{unix.EOPNOTSUPP, unix.ENOTTY, unix.EXDEV, unix.EINVAL, unix.ENOSYS} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// sparseCopy sizes dst like src and copies src's data extents into it with
// pread/pwrite. It deliberately avoids copy_file_range, which may itself
// share blocks, so that reflink = "never" really yields independent data.
func sparseCopy(ctx context.Context, dst, src *os.File) error {
	fi, err := src.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	if err := dst.Truncate(size); err != nil {
		return err
	}
	buf := make([]byte, copyBufSize)
	return walkData(src, size, func(off, n int64) error {
		for end := off + n; off < end; {
			if err := ctx.Err(); err != nil {
				return err
			}
			chunk := buf[:min(int64(len(buf)), end-off)]
			if _, err := src.ReadAt(chunk, off); err != nil {
				return err
			}
			if _, err := dst.WriteAt(chunk, off); err != nil {
				return err
			}
			off += int64(len(chunk))
		}
		return nil
	})
}
