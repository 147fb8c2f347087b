//go:build linux

package backup

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps n bytes of f at off (a multiple of the page size) for
// reading, with the pages faulted in up front: the backup hashes and
// stores straight from the page cache instead of copying into a buffer.
func mapFile(f *os.File, off, n int64) ([]byte, error) {
	b, err := unix.Mmap(int(f.Fd()), off, int(n), unix.PROT_READ, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return nil, &os.PathError{Op: "mmap", Path: f.Name(), Err: err}
	}
	return b, nil
}

func unmapFile(b []byte) { _ = unix.Munmap(b) }
