//go:build linux

package file

import (
	"fmt"
	"os"
)

// FIEMAP extent flags whose physical address does not identify the
// data's blocks (not yet allocated, packed or encoded): such extents are
// never taken to be unchanged.
const fiemapExtentOpaque = 0x2 | 0x4 | 0x8 | 0x80 | 0x100 | 0x200 // UNKNOWN, DELALLOC, ENCODED, NOT_ALIGNED, DATA_INLINE, DATA_TAIL

// fiemapExtentUnwritten marks preallocated ranges, which read as zeros.
const fiemapExtentUnwritten = 0x800

// ChangedExtents compares two files of the same size, typically two
// reflink snapshots of one volume taken at different times, and lists
// (sorted, disjoint) the ranges whose content may differ. Everything else
// is identical: a hole in both, or the same physical blocks in both (a
// snapshot's blocks are never rewritten in place; a write to the volume
// moves it to new blocks, which later snapshots share). It reads the
// block maps only, never the data, so its cost does not grow with the
// volume's size. Filesystems without FIEMAP give an error wrapping
// EOPNOTSUPP.
func ChangedExtents(newPath, oldPath string) ([]Extent, error) {
	// The two maps are read at once: the filesystem walks each file's
	// extent tree on its own.
	old := make(chan mapResult, 1)
	go func() { old <- readFileMap(oldPath) }()
	a, err := fileMap(newPath)
	b := <-old
	if err != nil {
		return nil, err
	}
	return changedBetween(a, b)
}

// mapResult is a block map read in the background.
type mapResult struct {
	blockMap
	err error
}

func readFileMap(path string) mapResult {
	m, err := fileMap(path)
	return mapResult{m, err}
}

// changedBetween is ChangedExtents on block maps already read; b's error
// is the old file's.
func changedBetween(a blockMap, b mapResult) ([]Extent, error) {
	if b.err != nil {
		return nil, b.err
	}
	if a.size != b.size {
		return nil, fmt.Errorf("%s is %d bytes and %s is %d: only files of one size compare", a.path, a.size, b.path, b.size)
	}
	// Ranges where both map the same physical blocks the same way.
	var same []Extent
	for i, j := 0, 0; i < len(a.exts) && j < len(b.exts); {
		x, y := a.exts[i], b.exts[j]
		s := max(x.Logical, y.Logical)
		e := min(x.Logical+x.Length, y.Logical+y.Length)
		if e > s && x.Physical-x.Logical == y.Physical-y.Logical &&
			(x.Flags|y.Flags)&fiemapExtentOpaque == 0 &&
			x.Flags&fiemapExtentUnwritten == y.Flags&fiemapExtentUnwritten {
			same = appendMerged(same, Extent{Offset: int64(s), Length: int64(e - s)})
		}
		if x.Logical+x.Length <= y.Logical+y.Length {
			i++
		} else {
			j++
		}
	}
	// Changed is where either has data, minus what is the same.
	var data []Extent
	for i, j := 0, 0; i < len(a.exts) || j < len(b.exts); {
		var e fiemapExtent
		if j >= len(b.exts) || i < len(a.exts) && a.exts[i].Logical <= b.exts[j].Logical {
			e, i = a.exts[i], i+1
		} else {
			e, j = b.exts[j], j+1
		}
		data = appendUnion(data, Extent{Offset: int64(e.Logical), Length: int64(e.Length)})
	}
	return subtract(data, same), nil
}

type blockMap struct {
	path string
	size int64
	exts []fiemapExtent
}

func fileMap(path string) (blockMap, error) {
	f, err := os.Open(path)
	if err != nil {
		return blockMap{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return blockMap{}, err
	}
	m := blockMap{path: path, size: fi.Size()}
	err = walkFiemap(f, m.size, func(e fiemapExtent) { m.exts = append(m.exts, e) })
	return m, err
}

// appendUnion appends e to sorted out, merging overlaps and touches.
func appendUnion(out []Extent, e Extent) []Extent {
	if n := len(out); n > 0 && out[n-1].End() >= e.Offset {
		out[n-1].Length = max(out[n-1].End(), e.End()) - out[n-1].Offset
		return out
	}
	return append(out, e)
}

// subtract returns a minus b; both sorted and disjoint.
func subtract(a, b []Extent) []Extent {
	var out []Extent
	j := 0
	for _, e := range a {
		cur := e.Offset
		for j < len(b) && b[j].End() <= cur {
			j++
		}
		for k := j; k < len(b) && b[k].Offset < e.End(); k++ {
			if b[k].Offset > cur {
				out = append(out, Extent{Offset: cur, Length: b[k].Offset - cur})
			}
			cur = max(cur, b[k].End())
		}
		if cur < e.End() {
			out = append(out, Extent{Offset: cur, Length: e.End() - cur})
		}
	}
	return out
}
