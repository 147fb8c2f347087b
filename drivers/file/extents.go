//go:build linux

package file

import (
	"errors"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Extent is a byte range of a file: [Offset, Offset+Length).
type Extent struct {
	Offset int64 `json:"offset"`
	Length int64 `json:"length"`
}

// End is the first byte after the extent.
func (e Extent) End() int64 { return e.Offset + e.Length }

func (e Extent) String() string { return fmt.Sprintf("[%d,+%d)", e.Offset, e.Length) }

// AllocatedExtents lists the ranges of the file at path that hold data, as
// reported by SEEK_DATA/SEEK_HOLE; everything else reads as zeros. Ranges
// are sorted, do not overlap and end at most at the file's size. A backup
// reads only these ranges. Preallocated but never written ranges count as
// holes on most filesystems, which is right for a backup: they read as 0.
func AllocatedExtents(path string) ([]Extent, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var out []Extent
	err = walkData(f, fi.Size(), func(off, n int64) error {
		out = append(out, Extent{Offset: off, Length: n})
		return nil
	})
	return out, err
}

// walkData calls fn for each data range of f below size. The file offset
// of f moves; callers read with ReadAt.
func walkData(f *os.File, size int64, fn func(off, n int64) error) error {
	return walkDataFrom(f, 0, size, fn)
}

// walkDataFrom is walkData for the range [from, size).
func walkDataFrom(f *os.File, from, size int64, fn func(off, n int64) error) error {
	fd := int(f.Fd())
	for off := from; off < size; {
		data, err := unix.Seek(fd, off, unix.SEEK_DATA)
		if errors.Is(err, unix.ENXIO) {
			return nil // no data after off
		}
		if errors.Is(err, unix.EINVAL) {
			// No SEEK_DATA here: treat the rest as data, which is always
			// correct, only less sparse.
			return fn(off, size-off)
		}
		if err != nil {
			return &os.PathError{Op: "seek data", Path: f.Name(), Err: err}
		}
		if data >= size {
			return nil
		}
		hole, err := unix.Seek(fd, data, unix.SEEK_HOLE)
		if err != nil {
			return &os.PathError{Op: "seek hole", Path: f.Name(), Err: err}
		}
		hole = min(hole, size)
		if err := fn(data, hole-data); err != nil {
			return err
		}
		off = hole
	}
	return nil
}

// FIEMAP, from linux/fiemap.h; x/sys/unix does not define it.
const (
	fsIocFiemap        = 0xC020660B // _IOWR('f', 11, struct fiemap)
	fiemapFlagSync     = 0x1
	fiemapExtentLast   = 0x1
	fiemapExtentShared = 0x2000
	fiemapBatch        = 128
)

type fiemapExtent struct {
	Logical    uint64
	Physical   uint64
	Length     uint64
	reserved64 [2]uint64
	Flags      uint32
	reserved   [3]uint32
}

type fiemapReq struct {
	Start         uint64
	Length        uint64
	Flags         uint32
	MappedExtents uint32
	ExtentCount   uint32
	reserved      uint32
	Extents       [fiemapBatch]fiemapExtent
}

// The kernel's struct sizes; these fail to compile if the layout drifts.
var (
	_ = [1]struct{}{}[unsafe.Sizeof(fiemapExtent{})-56]
	_ = [1]struct{}{}[unsafe.Offsetof(fiemapReq{}.Extents)-32]
)

// SharedExtents lists the ranges of the file at path whose blocks are
// shared with another file (FIEMAP_EXTENT_SHARED): after a reflink
// snapshot or clone, those are the ranges neither side has rewritten.
// Adjacent shared extents are merged; ranges end at most at the file's
// size. Filesystems without FIEMAP give an error wrapping EOPNOTSUPP.
//
// The answer is the on-disk state: FIEMAP flushes this file first, but a
// write still cached for another file that shares these blocks is only
// seen once that file is flushed (copy-on-write happens at writeback).
func SharedExtents(path string) ([]Extent, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var out []Extent
	err = walkFiemap(f, fi.Size(), func(e fiemapExtent) {
		if e.Flags&fiemapExtentShared != 0 {
			out = appendMerged(out, Extent{Offset: int64(e.Logical), Length: int64(e.Length)})
		}
	})
	return out, err
}

// walkFiemap calls fn for each extent FIEMAP reports for f below size,
// clipped to size, in logical order.
func walkFiemap(f *os.File, fsize int64, fn func(e fiemapExtent)) error {
	size := uint64(fsize)
	req := new(fiemapReq)
	for start := uint64(0); start < size; {
		*req = fiemapReq{Start: start, Length: size - start, Flags: fiemapFlagSync, ExtentCount: fiemapBatch}
		_, _, errno := unix.Syscall(unix.SYS_IOCTL, f.Fd(), fsIocFiemap, uintptr(unsafe.Pointer(req)))
		if errno != 0 {
			return &os.PathError{Op: "fiemap", Path: f.Name(), Err: errno}
		}
		if req.MappedExtents == 0 {
			break
		}
		last := false
		for _, e := range req.Extents[:req.MappedExtents] {
			end := min(e.Logical+e.Length, size)
			if end > e.Logical {
				c := e
				c.Length = end - e.Logical
				fn(c)
			}
			start = e.Logical + e.Length
			last = last || e.Flags&fiemapExtentLast != 0
		}
		if last {
			break
		}
	}
	return nil
}

// appendMerged appends e, extending the last extent when they touch.
func appendMerged(out []Extent, e Extent) []Extent {
	if n := len(out); n > 0 && out[n-1].Offset+out[n-1].Length == e.Offset {
		out[n-1].Length += e.Length
		return out
	}
	return append(out, e)
}

// ExtentBytes is the total length of extents.
func ExtentBytes(exts []Extent) int64 {
	var n int64
	for _, e := range exts {
		n += e.Length
	}
	return n
}
