package backup

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slab-storage/slab/drivers"
)

// Backup reads src and stores it as backup req.ID; with req.ParentID it
// stores only the blocks that changed since that backup. The manifest is
// written last and returned. A parent of another size fails with a
// *NeedsFullError, an ID that is already complete with ErrExists; the
// objects of an earlier attempt that never got its manifest are removed
// first.
func Backup(ctx context.Context, repo Repository, src Source, req Request, opts Options) (*Manifest, Stats, error) {
	b, err := prepare(ctx, repo, req, opts)
	if err == nil {
		err = b.attach(src)
	}
	if err != nil {
		return nil, Stats{}, err
	}
	m, err := b.run(ctx)
	if err != nil {
		return nil, b.stats, fmt.Errorf("backup %s: %w", req.ID, err)
	}
	return m, b.stats, nil
}

// backupRun is one backup in progress.
type backupRun struct {
	repo    Repository
	src     Source
	req     Request
	opts    Options
	size    int64
	parent  *Manifest
	pHashes []byte // parent's hash list
	hashes  []byte // the new hash list, written per block by workers
	objSeq  int    // objects named so far; only the segment whose turn it is touches it
	segSize int64  // the most bytes of the volume one segment covers
	stats   Stats
	// direct reads whole segments of a file source past the page cache;
	// nil, or noDirect set, when the filesystem has no direct I/O.
	direct   *os.File
	noDirect atomic.Bool
}

// useDirectIO lets tests cover the mapped path where direct I/O works.
var useDirectIO = true

// errDirectUnsupported says a filesystem refused a direct read.
var errDirectUnsupported = errors.New("direct I/O not supported")

// prepare checks a request and reads what the backup needs from the
// repository (the parent's manifest and hash list), and removes what an
// earlier attempt at the same backup left. It does not need the source,
// so it can run while the volume is being snapshotted.
func prepare(ctx context.Context, repo Repository, req Request, opts Options) (*backupRun, error) {
	for _, id := range []string{req.ID, req.VolumeID} {
		if err := drivers.CheckID("backup", id); err != nil {
			return nil, err
		}
	}
	if req.ParentID != "" {
		if err := drivers.CheckID("backup", req.ParentID); err != nil {
			return nil, err
		}
		if req.ParentID == req.ID {
			return nil, fmt.Errorf("backup %s cannot be its own parent", req.ID)
		}
	}
	var err error
	if opts.ChunkSize, err = CheckChunkSize(opts.ChunkSize); err != nil {
		return nil, err
	}
	if opts.Compression, err = ParseCompression(string(opts.Compression)); err != nil {
		return nil, err
	}
	if opts.Workers <= 0 {
		// One more than the CPUs keeps them busy while a worker waits for
		// an object to reach the disk.
		opts.Workers = runtime.GOMAXPROCS(0) + 1
	}
	if req.Created.IsZero() {
		req.Created = time.Now().UTC()
	}
	b := &backupRun{repo: repo, req: req, opts: opts}

	switch _, err := ReadManifest(ctx, repo, req.ID); {
	case err == nil:
		return nil, fmt.Errorf("backup %s: %w", req.ID, ErrExists)
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	// Leftovers of an attempt that crashed before its manifest.
	if err := clearObjects(ctx, repo, req.ID); err != nil {
		return nil, err
	}

	if req.ParentID != "" {
		p, err := ReadManifest(ctx, repo, req.ParentID)
		if err != nil {
			return nil, fmt.Errorf("backup %s: parent: %w", req.ID, err)
		}
		if p.VolumeID != req.VolumeID {
			return nil, fmt.Errorf("backup %s: parent %s is a backup of volume %s, not %s", req.ID, p.ID, p.VolumeID, req.VolumeID)
		}
		if b.pHashes, err = loadHashes(ctx, repo, p); err != nil {
			return nil, err
		}
		b.parent = p
	}
	return b, nil
}

// attach sets the source to back up; a parent of another size fails with
// a *NeedsFullError.
func (b *backupRun) attach(src Source) error {
	size := src.Size()
	if size < 0 {
		return fmt.Errorf("backup %s: negative volume size %d", b.req.ID, size)
	}
	if p := b.parent; p != nil && p.Size != size {
		return &NeedsFullError{ID: b.req.ID, ParentID: p.ID, Size: size, ParentSize: p.Size}
	}
	b.src, b.size = src, size
	b.hashes = make([]byte, blocks(size)*sha256.Size)
	b.stats.Size = size
	return nil
}

// fileSource is a Source backed by a file that nothing truncates while
// it is open (a private snapshot, such as the file driver's backup image),
// which the engine maps into memory instead of copying from.
type fileSource interface {
	File() *os.File
}

// segment is up to one chunk of block-aligned ranges that the reader
// cuts and a worker reads, hashes, compresses and stores; its changed
// data becomes one object.
type segment struct {
	n      int64
	voff   []int64 // per block: its offset in the volume
	alloc  []bool  // per block: holds data, so it is read into buf
	buf    []byte  // the ranges' bytes back to back; nil when no data
	mapped bool    // buf maps the source file: read-only, unmapped after use
	// Segments name their objects in volume order, whichever worker
	// finishes first, so the same volume always gives the same objects:
	// a segment takes a name once turn is closed, then closes next.
	turn <-chan struct{}
	next chan struct{}
}

func (s *segment) blockLen(i int) int64 { return min(HashBlockSize, s.n-int64(i)*HashBlockSize) }

type segResult struct {
	n       int64
	extents []ManifestExtent
	object  *ObjectRef
	stats   Stats
	err     error
}

func (b *backupRun) run(ctx context.Context) (*Manifest, error) {
	alloc, err := b.src.Allocated()
	if err != nil {
		return nil, fmt.Errorf("listing allocated extents: %w", err)
	}
	work := []drivers.Extent{{Offset: 0, Length: b.size}}
	b.stats.Path = PathFull
	if b.parent != nil {
		b.stats.Path = PathHashed
		changed, ok, err := b.src.Changed()
		if err != nil {
			return nil, fmt.Errorf("finding changed extents: %w", err)
		}
		if ok {
			b.stats.Path = PathShared
			work = alignExtents(changed, b.size)
			// Blocks outside work are the parent's, hashes included.
			copy(b.hashes, b.pHashes)
		}
	}
	var total int64
	for _, e := range work {
		total += e.Length
	}
	b.stats.BytesSkipped = b.size - total
	alloc = alignExtents(alloc, b.size)

	// The reader only cuts segments; each worker reads its own into its
	// buffer, so reads are in flight while other segments are hashed,
	// compressed and written. Memory stays bounded: one chunk-sized
	// buffer per worker, freed when the backup ends.
	if fs, ok := b.src.(fileSource); ok && useDirectIO {
		if f, err := openDirect(fs.File()); err == nil {
			b.direct = f
			defer f.Close()
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	b.segSize = b.segmentSize(total)
	workers := b.opts.Workers
	if b.segSize < b.opts.ChunkSize {
		// Small segments keep a worker waiting on the devices more than
		// on the CPUs: twice as many keep the devices' queues full, and
		// their buffers are small.
		workers *= 2
	}
	segs := make(chan *segment, workers)
	results := make(chan segResult, workers)
	free := make(chan []byte, workers)
	for range cap(free) {
		free <- nil // allocated on first use
	}
	defer func() {
		// Every worker has returned its buffer by now.
		for range cap(free) {
			if buf := <-free; buf != nil {
				freeBuffer(buf)
			}
		}
	}()
	go func() {
		defer close(segs)
		if err := b.cut(ctx, work, alloc, b.segSize, segs); err != nil {
			cancel(err)
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk := &worker{c: newCodec()}
			defer wk.c.close()
			// A read error under a mapped segment arrives as a fault, which
			// this turns into a panic that processMapped recovers.
			debug.SetPanicOnFault(true)
			for s := range segs {
				var r segResult
				if ctx.Err() == nil {
					if r.err = b.fill(ctx, s, free); r.err == nil {
						r = b.processMapped(ctx, wk, s)
					}
				}
				switch {
				case s.mapped:
					unmapFile(s.buf)
				case s.buf != nil:
					free <- s.buf
				}
				if r.err != nil {
					cancel(r.err)
				}
				results <- r
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	var extents []ManifestExtent
	var objects []ObjectRef
	var done int64
	for r := range results {
		if r.err != nil || ctx.Err() != nil {
			continue // drain
		}
		extents = append(extents, r.extents...)
		if r.object != nil {
			objects = append(objects, *r.object)
		}
		b.stats.add(r.stats)
		done += r.n
		if b.opts.Progress != nil {
			b.opts.Progress.Progress(done, total)
		}
	}
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	slices.SortFunc(objects, func(a, b ObjectRef) int { return cmp.Compare(a.Name, b.Name) })
	return b.commit(ctx, mergeHoles(extents), objects)
}

// minSegment bounds how small segmentSize cuts work to share it out.
const minSegment = 1 << 20

// segmentSize is one chunk, or less when there is too little work (an
// incremental's changed blocks, a small volume) to give every worker a
// chunk: then the work is shared out evenly, so that it is read, hashed
// and written on all CPUs at once. It depends on the work only, so the
// same input still gives the same objects.
func (b *backupRun) segmentSize(total int64) int64 {
	if total >= b.opts.ChunkSize*int64(b.opts.Workers) {
		return b.opts.ChunkSize
	}
	per := (total + int64(b.opts.Workers)*4 - 1) / (int64(b.opts.Workers) * 4)
	per = (per + HashBlockSize - 1) / HashBlockSize * HashBlockSize
	return min(max(per, minSegment), b.opts.ChunkSize)
}

// cut cuts work into segments of at most size bytes (a multiple of the
// hash block), in volume order.
func (b *backupRun) cut(ctx context.Context, work, alloc []drivers.Extent, size int64, out chan<- *segment) error {
	turn := make(chan struct{})
	close(turn) // the first segment's turn
	s := &segment{}
	ai := 0
	emit := func() error {
		if s.n == 0 {
			return nil
		}
		s.turn, s.next = turn, make(chan struct{})
		turn = s.next
		select {
		case out <- s:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		s = &segment{}
		return nil
	}
	for _, w := range work {
		for off := w.Offset; off < w.End(); {
			n := min(size-s.n, w.End()-off)
			for k := off; k < off+n; k += HashBlockSize {
				for ai < len(alloc) && alloc[ai].End() <= k {
					ai++
				}
				s.voff = append(s.voff, k)
				s.alloc = append(s.alloc, ai < len(alloc) && alloc[ai].Offset <= k)
			}
			s.n += n
			off += n
			if s.n == size {
				if err := emit(); err != nil {
					return err
				}
			}
		}
	}
	return emit()
}

// whole reports whether s is one run of data of a file source (a full
// backup's usual case), which is read directly or mapped in one go.
func (b *backupRun) whole(s *segment) (fileSource, bool) {
	fs, ok := b.src.(fileSource)
	return fs, ok && !slices.Contains(s.alloc, false) &&
		s.voff[len(s.voff)-1]-s.voff[0] == int64(len(s.voff)-1)*HashBlockSize
}

// fill reads the allocated blocks of s: one run of data of a file source
// with one direct read (or, without direct I/O, by mapping it), else each
// run of them with one ReadAt.
func (b *backupRun) fill(ctx context.Context, s *segment, free chan []byte) error {
	if !slices.Contains(s.alloc, true) {
		return nil
	}
	fs, whole := b.whole(s)
	direct := whole && b.direct != nil && !b.noDirect.Load()
	if whole && !direct {
		if buf, err := mapFile(fs.File(), s.voff[0], s.n); err == nil {
			s.buf, s.mapped = buf, true
			atomic.AddInt64(&b.stats.BytesRead, s.n)
			return nil
		}
	}
	select {
	case s.buf = <-free:
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	if s.buf == nil {
		var err error
		if s.buf, err = allocBuffer(b.segSize); err != nil {
			free <- nil
			return err
		}
	}
	s.buf = s.buf[:s.n]
	if direct {
		want := (s.n + directAlign - 1) / directAlign * directAlign
		n, err := readDirect(b.direct, s.buf[:want], s.voff[0])
		switch {
		case err == nil && int64(n) >= s.n:
			atomic.AddInt64(&b.stats.BytesRead, s.n)
			return nil
		case err == nil:
			err = io.ErrUnexpectedEOF
		case errors.Is(err, errDirectUnsupported):
			b.noDirect.Store(true)
			err = nil // read it the ordinary way below
		}
		if err != nil {
			free <- s.buf
			s.buf = nil
			return fmt.Errorf("reading the volume at %d: %w", s.voff[0], err)
		}
	}
	type run struct{ from, to, voff int64 }
	var runs []run
	for i := 0; i < len(s.alloc); {
		if !s.alloc[i] {
			i++
			continue
		}
		j := i + 1
		for j < len(s.alloc) && s.alloc[j] && s.voff[j] == s.voff[j-1]+HashBlockSize {
			j++
		}
		runs = append(runs, run{int64(i) * HashBlockSize, min(int64(j)*HashBlockSize, s.n), s.voff[i]})
		i = j
	}
	// Scattered runs (an incremental's changed blocks) are read several at
	// a time, so the device sees a queue instead of one request at a time.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, readAhead)
	for _, r := range runs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			n, err := b.readRun(s.buf[r.from:r.to], r.voff)
			if err != nil && !(errors.Is(err, io.EOF) && int64(n) == r.to-r.from) {
				mu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("reading the volume at %d: %w", r.voff, err)
				}
				mu.Unlock()
				return
			}
			atomic.AddInt64(&b.stats.BytesRead, r.to-r.from)
		}()
	}
	wg.Wait()
	if firstErr != nil {
		free <- s.buf
		s.buf = nil
	}
	return firstErr
}

// readAhead is how many reads of one segment are in flight at once.
const readAhead = 16

// readRun reads one run of blocks of a segment: directly where it can (a
// snapshot's scattered changed blocks would otherwise pull read-ahead
// around each of them through the page cache), else through the source.
func (b *backupRun) readRun(p []byte, off int64) (int, error) {
	if b.direct != nil && !b.noDirect.Load() && off%directAlign == 0 && len(p)%directAlign == 0 {
		n, err := readDirect(b.direct, p, off)
		if err == nil && n < len(p) {
			err = io.ErrUnexpectedEOF // the snapshot is never shorter than its size
		}
		if !errors.Is(err, errDirectUnsupported) {
			return n, err
		}
		b.noDirect.Store(true)
	}
	return b.src.ReadAt(p, off)
}

// worker is one worker goroutine's reusable state.
type worker struct {
	c       *codec
	scratch []digest
	objBuf  []byte
}

// processMapped is process, with a memory fault while reading a mapped
// segment (an I/O error under the mapping) reported as an error.
func (b *backupRun) processMapped(ctx context.Context, wk *worker, s *segment) (r segResult) {
	if s.mapped {
		defer func() {
			if p := recover(); p != nil {
				r = segResult{err: fmt.Errorf("reading the volume at %d: %v", s.voff[0], p)}
			}
		}()
	}
	return b.process(ctx, wk, s)
}

// process hashes a segment's blocks, compares them with the parent's and
// stores the changed data blocks, packed back to back, as one object.
func (b *backupRun) process(ctx context.Context, wk *worker, s *segment) segResult {
	r := segResult{n: s.n}
	nb := len(s.alloc)
	hs := make([]digest, nb)
	zero := make([]bool, nb)
	changed := make([]bool, nb)
	for i := range nb {
		from, to := int64(i)*HashBlockSize, int64(i)*HashBlockSize+s.blockLen(i)
		if !s.alloc[i] || isZero(s.buf[from:to]) {
			hs[i], zero[i] = zeroHash(int(to-from)), true
		} else {
			hs[i] = sha256.Sum256(s.buf[from:to])
			r.stats.BytesHashed += to - from
		}
		bi := s.voff[i] / HashBlockSize
		changed[i] = b.parent == nil || !bytes.Equal(b.pHashes[bi*sha256.Size:(bi+1)*sha256.Size], hs[i][:])
		copy(b.hashes[bi*sha256.Size:(bi+1)*sha256.Size], hs[i][:])
	}
	// The object's content is the changed data runs back to back. It stays
	// in place, at buf[start:start+w], while the runs are adjacent; else a
	// heap buffer is packed in place (runs move down) and a mapped one is
	// copied out to obj.
	var start, w int64 = -1, 0
	var obj []byte
	var pieces []digest // the content's block hashes
	var named []int     // the extents that name the object
	for i := 0; i < nb; {
		if !changed[i] {
			i++
			continue
		}
		j := i + 1
		for j < nb && changed[j] && zero[j] == zero[i] && s.voff[j] == s.voff[j-1]+HashBlockSize {
			j++
		}
		from, to := int64(i)*HashBlockSize, int64(j-1)*HashBlockSize+s.blockLen(j-1)
		e := ManifestExtent{Offset: s.voff[i], Length: to - from}
		if zero[i] {
			e.Hole = true
			r.stats.HoleBytes += e.Length
		} else {
			if start < 0 {
				start = from
			}
			e.ObjectOffset = w
			named = append(named, len(r.extents))
			switch {
			case obj == nil && from == start+w:
			case obj == nil && !s.mapped:
				copy(s.buf[start+w:], s.buf[from:to])
			default:
				if obj == nil {
					obj = append(wk.objBuf[:0], s.buf[start:start+w]...)
				}
				obj = append(obj, s.buf[from:to]...)
			}
			w += e.Length
			pieces = append(pieces, hs[i:j]...)
			r.stats.DataBytes += e.Length
		}
		r.extents = append(r.extents, e)
		i = j
	}
	if start < 0 {
		// Nothing to name: pass the turn on without holding this worker.
		go func() {
			select {
			case <-s.turn:
				close(s.next)
			case <-ctx.Done():
			}
		}()
		return r
	}
	data := s.buf[start : start+w]
	if obj != nil {
		data, wk.objBuf = obj, obj[:0]
	}
	ref, err := b.store(ctx, wk, s, data, pieces)
	if err != nil {
		r.err = err
		return r
	}
	for _, k := range named {
		r.extents[k].Object = ref.Name
	}
	r.object = ref
	r.stats.StoredBytes += ref.StoredLength
	r.stats.Objects++
	return r
}

// store compresses data (whose block hashes are hs), names it once it is
// s's turn, and writes it.
func (b *backupRun) store(ctx context.Context, wk *worker, s *segment, data []byte, hs []digest) (*ObjectRef, error) {
	stored, comp, err := wk.c.compress(b.opts.Compression, data)
	if err != nil {
		return nil, err
	}
	var sum string
	if comp == None {
		sum = treeSum(hs) // the pieces are the blocks just hashed
	} else {
		sum, wk.scratch = treeSumOf(wk.scratch, stored)
	}
	select {
	case <-s.turn:
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
	b.objSeq++
	name := chunkName(b.objSeq)
	close(s.next)
	put := b.repo.Put
	if st, ok := b.repo.(Staging); ok {
		put = st.Stage // settled in commit, before the manifest
	}
	if err := put(ctx, b.req.ID, name, stored); err != nil {
		return nil, fmt.Errorf("writing object %s: %w", name, err)
	}
	return &ObjectRef{Name: name, Compression: comp, Length: int64(len(data)), StoredLength: int64(len(stored)), SHA256: sum}, nil
}

// commit makes the data objects and the hash list durable, then writes
// the manifest.
func (b *backupRun) commit(ctx context.Context, extents []ManifestExtent, objects []ObjectRef) (*Manifest, error) {
	// The hash list's checksum is computed while the disk works.
	hashesSum := make(chan string, 1)
	go func() {
		sum, _ := treeSumOf(nil, b.hashes)
		hashesSum <- sum
	}()
	if st, ok := b.repo.(Staging); ok {
		if err := st.Stage(ctx, b.req.ID, HashesName, b.hashes); err != nil {
			return nil, fmt.Errorf("writing %s: %w", HashesName, err)
		}
		if err := st.Settle(ctx, b.req.ID); err != nil {
			return nil, fmt.Errorf("making the data objects durable: %w", err)
		}
	} else if err := b.repo.Put(ctx, b.req.ID, HashesName, b.hashes); err != nil {
		return nil, fmt.Errorf("writing %s: %w", HashesName, err)
	}
	hsum := <-hashesSum
	m := &Manifest{
		Format:        FormatVersion,
		ID:            b.req.ID,
		VolumeID:      b.req.VolumeID,
		ParentID:      b.req.ParentID,
		Created:       b.req.Created,
		Description:   b.req.Description,
		Size:          b.size,
		ChunkSize:     b.opts.ChunkSize,
		HashBlockSize: HashBlockSize,
		Compression:   b.opts.Compression,
		Extents:       extents,
		Objects:       objects,
		Hashes:        ObjectRef{Name: HashesName, Compression: None, Length: int64(len(b.hashes)), StoredLength: int64(len(b.hashes)), SHA256: hsum},
		StoredBytes:   b.stats.StoredBytes + int64(len(b.hashes)),
	}
	enc, err := encodeManifest(m)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := b.repo.Put(ctx, b.req.ID, ManifestName, enc); err != nil {
		return nil, fmt.Errorf("writing %s: %w", ManifestName, err)
	}
	return m, nil
}

func (s *Stats) add(o Stats) {
	s.BytesHashed += o.BytesHashed
	s.DataBytes += o.DataBytes
	s.HoleBytes += o.HoleBytes
	s.StoredBytes += o.StoredBytes
	s.Objects += o.Objects
}

// alignExtents rounds extents out to whole hash blocks within size and
// merges those that then touch or overlap. Input must be sorted.
func alignExtents(exts []drivers.Extent, size int64) []drivers.Extent {
	var out []drivers.Extent
	for _, e := range exts {
		from := max(e.Offset/HashBlockSize*HashBlockSize, 0)
		to := min((e.End()+HashBlockSize-1)/HashBlockSize*HashBlockSize, size)
		if to <= from {
			continue
		}
		if n := len(out); n > 0 && out[n-1].End() >= from {
			out[n-1].Length = max(out[n-1].End(), to) - out[n-1].Offset
			continue
		}
		out = append(out, drivers.Extent{Offset: from, Length: to - from})
	}
	return out
}

// mergeHoles sorts extents and joins adjacent holes.
func mergeHoles(exts []ManifestExtent) []ManifestExtent {
	slices.SortFunc(exts, func(a, b ManifestExtent) int { return cmp.Compare(a.Offset, b.Offset) })
	var out []ManifestExtent
	for _, e := range exts {
		if n := len(out); n > 0 && e.Hole && out[n-1].Hole && out[n-1].End() == e.Offset {
			out[n-1].Length += e.Length
			continue
		}
		out = append(out, e)
	}
	return out
}
