package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"runtime"
	"sync"
)

// Restore writes the chain ending at backup id into dst, which must be at
// least the backup's size; bytes of dst beyond it are left alone.
//
// The result is that of applying the chain oldest to newest, computed up
// front: each range of the volume is taken from the newest backup that
// recorded it, so a block is written once and objects that later backups
// fully replaced are not read. Before any byte of an object is written
// its stored checksum is verified, and every block written (or punched)
// must match the newest backup's hash list. A failure names the backup
// and object; dst is then partly written and must not be used.
func Restore(ctx context.Context, repo Repository, id string, dst Target, progress Progress) (Stats, error) {
	chain, err := Chain(ctx, repo, id)
	if err != nil {
		return Stats{}, err
	}
	top := chain[len(chain)-1]
	if dst.Size() < top.Size {
		return Stats{}, fmt.Errorf("restore backup %s: the target volume is %d bytes, smaller than the backup's %d", id, dst.Size(), top.Size)
	}
	hashes, err := loadHashes(ctx, repo, top)
	if err != nil {
		return Stats{}, err
	}
	pieces := layout(chain)
	st := Stats{Size: top.Size}
	var jobs []objectJob
	byObject := map[jobKey]int{}
	for _, p := range pieces {
		if p.ext == nil {
			continue
		}
		k := jobKey{p.m, p.ext.Object}
		i, ok := byObject[k]
		if !ok {
			i = len(jobs)
			byObject[k] = i
			jobs = append(jobs, objectJob{m: chain[p.m], obj: chain[p.m].object(p.ext.Object)})
		}
		jobs[i].live = append(jobs[i].live, p)
	}
	prog := &progressCounter{p: progress, total: top.Size}
	if err := checkHoles(top, hashes, pieces); err != nil {
		return st, err
	}
	// Holes first: they are cheap.
	for _, p := range pieces {
		if p.ext != nil {
			continue
		}
		if err := dst.PunchHole(p.off, p.n); err != nil {
			return st, fmt.Errorf("restore backup %s: punching a hole at %d: %w", id, p.off, err)
		}
		st.HoleBytes += p.n
		prog.add(p.n)
	}
	var mu sync.Mutex
	err = runJobs(ctx, jobs, func(c *codec, j *objectJob, bufs *jobBuffers) error {
		data, hs, err := j.load(ctx, repo, c, bufs)
		if err != nil {
			return err
		}
		if err := j.checkLive(top, hashes, hs); err != nil {
			return err
		}
		for _, p := range j.live {
			rel := p.ext.ObjectOffset + p.off - p.ext.Offset
			part := data[rel : rel+p.n]
			if _, err := dst.WriteAt(part, p.off); err != nil {
				return fmt.Errorf("restore backup %s: writing at %d: %w", id, p.off, err)
			}
			mu.Lock()
			st.DataBytes += p.n
			prog.add(p.n)
			mu.Unlock()
		}
		mu.Lock()
		st.BytesRead += j.obj.StoredLength
		st.Objects++
		mu.Unlock()
		return nil
	})
	return st, err
}

// checkHoles checks that the hash list of the chain's newest backup has
// the hash of zeros for every block the chain leaves a hole.
func checkHoles(top *Manifest, hashes []byte, pieces []piece) error {
	for _, p := range pieces {
		if p.ext != nil {
			continue
		}
		for bi := p.off / HashBlockSize; bi < blocks(p.off+p.n); bi++ {
			want := zeroHash(int(min(HashBlockSize, top.Size-bi*HashBlockSize)))
			if !bytes.Equal(hashes[bi*sha256.Size:(bi+1)*sha256.Size], want[:]) {
				return &CorruptError{ID: top.ID, Err: fmt.Errorf("block %d is a hole in the chain but not in the hash list", bi)}
			}
		}
	}
	return nil
}

// checkLive checks the blocks the job's object supplies to the restored
// volume (hs: its content's block hashes) against the newest backup's
// hash list.
func (j *objectJob) checkLive(top *Manifest, hashes []byte, hs []digest) error {
	for _, p := range j.live {
		k := (p.ext.ObjectOffset + p.off - p.ext.Offset) / HashBlockSize
		if bi, ok := checkBlocks(hashes, p.off/HashBlockSize, hs[k:k+blocks(p.n)]); !ok {
			return &CorruptError{ID: j.m.ID, Object: j.obj.Name, Err: fmt.Errorf("block %d does not match backup %s's hash list", bi, top.ID)}
		}
	}
	return nil
}

// object returns the object named name; the manifest was checked, so it
// is listed.
func (m *Manifest) object(name string) *ObjectRef {
	for i := range m.Objects {
		if m.Objects[i].Name == name {
			return &m.Objects[i]
		}
	}
	panic("backup: manifest names an unlisted object " + name)
}

// Verify reads every object of the chain ending at backup id and checks
// its stored checksum and its content against its backup's hash list,
// and the volume the chain restores to against the newest hash list, as
// Restore would, without writing anything.
func Verify(ctx context.Context, repo Repository, id string, progress Progress) (Stats, error) {
	chain, err := Chain(ctx, repo, id)
	if err != nil {
		return Stats{}, err
	}
	st := Stats{Size: chain[len(chain)-1].Size}
	var jobs []objectJob
	jobIdx := map[jobKey]int{}
	hashes := make([][]byte, len(chain))
	var total int64
	for i, m := range chain {
		if hashes[i], err = loadHashes(ctx, repo, m); err != nil {
			return st, err
		}
		byName := map[string]int{}
		for k := range m.Objects {
			byName[m.Objects[k].Name] = len(jobs)
			jobIdx[jobKey{i, m.Objects[k].Name}] = len(jobs)
			jobs = append(jobs, objectJob{m: m, obj: &m.Objects[k], hashes: hashes[i]})
		}
		for k := range m.Extents {
			e := &m.Extents[k]
			total += e.Length
			if !e.Hole {
				j := &jobs[byName[e.Object]]
				j.exts = append(j.exts, e)
				continue
			}
			for bi := e.Offset / HashBlockSize; bi < blocks(e.End()); bi++ {
				want := zeroHash(int(min(HashBlockSize, m.Size-bi*HashBlockSize)))
				if !bytes.Equal(hashes[i][bi*sha256.Size:(bi+1)*sha256.Size], want[:]) {
					return st, &CorruptError{ID: m.ID, Err: fmt.Errorf("block %d is a hole but not in the hash list", bi)}
				}
			}
			st.HoleBytes += e.Length
		}
	}
	top, topHashes := chain[len(chain)-1], hashes[len(chain)-1]
	pieces := layout(chain)
	if err := checkHoles(top, topHashes, pieces); err != nil {
		return st, err
	}
	for _, p := range pieces {
		if p.ext != nil {
			j := &jobs[jobIdx[jobKey{p.m, p.ext.Object}]]
			j.live = append(j.live, p)
		}
	}
	prog := &progressCounter{p: progress, total: total}
	prog.add(st.HoleBytes)
	var mu sync.Mutex
	err = runJobs(ctx, jobs, func(c *codec, j *objectJob, bufs *jobBuffers) error {
		_, hs, err := j.load(ctx, repo, c, bufs)
		if err != nil {
			return err
		}
		for _, e := range j.exts {
			k := e.ObjectOffset / HashBlockSize
			if bi, ok := checkBlocks(j.hashes, e.Offset/HashBlockSize, hs[k:k+blocks(e.Length)]); !ok {
				return &CorruptError{ID: j.m.ID, Object: j.obj.Name, Err: fmt.Errorf("block %d does not match the hash list", bi)}
			}
		}
		if err := j.checkLive(top, topHashes, hs); err != nil {
			return err
		}
		mu.Lock()
		st.BytesRead += j.obj.StoredLength
		st.DataBytes += j.obj.Length
		st.Objects++
		prog.add(j.obj.Length)
		mu.Unlock()
		return nil
	})
	return st, err
}

// jobKey names an object of one backup of a chain.
type jobKey struct {
	m    int // index in the chain
	name string
}

// objectJob is one object to read: its backup and, for Verify, its
// extents and its backup's hash list; for Restore, the pieces still live.
type objectJob struct {
	m      *Manifest
	obj    *ObjectRef
	exts   []*ManifestExtent
	hashes []byte
	live   []piece
}

// jobBuffers are one worker's buffers, reused from object to object: the
// object as stored, its content when compressed, and its block hashes.
type jobBuffers struct {
	stored, content []byte
	pieces          []digest
}

// load reads the object, checks its checksum and returns its content and
// the hashes of the content's blocks (computed here unless the checksum
// already did), both in bufs: valid until the next load.
func (j *objectJob) load(ctx context.Context, repo Repository, c *codec, bufs *jobBuffers) (data []byte, hs []digest, _ error) {
	ref := j.obj
	stored, err := getObject(ctx, repo, j.m.ID, ref, bufs.stored)
	if err != nil {
		return nil, nil, err
	}
	bufs.stored = stored
	pieces, err := checkSum(j.m.ID, ref, stored, bufs.pieces[:0])
	bufs.pieces = pieces
	if err != nil {
		return nil, nil, err
	}
	if ref.Compression == None {
		if int64(len(stored)) != ref.Length {
			return nil, nil, &CorruptError{ID: j.m.ID, Object: ref.Name, Err: fmt.Errorf("%d bytes, want %d", len(stored), ref.Length)}
		}
		// Stored pieces are the content's blocks: hashed once, not twice.
		return stored, pieces, nil
	}
	out, err := c.decompress(ref.Compression, stored, bufs.content, ref.Length)
	if err != nil {
		return nil, nil, &CorruptError{ID: j.m.ID, Object: ref.Name, Err: err}
	}
	bufs.content = out
	bufs.pieces = blockHashes(pieces[:0], out)
	return out, bufs.pieces, nil
}

// checkBlocks compares the hashes of blocks starting at block first with
// a hash list.
func checkBlocks(list []byte, first int64, hs []digest) (int64, bool) {
	for k := range hs {
		bi := first + int64(k)
		if !bytes.Equal(list[bi*sha256.Size:(bi+1)*sha256.Size], hs[k][:]) {
			return bi, false
		}
	}
	return 0, true
}

// runJobs runs fn over jobs on GOMAXPROCS+1 goroutines, stopping at the
// first error, which it returns.
func runJobs(ctx context.Context, jobs []objectJob, fn func(c *codec, j *objectJob, bufs *jobBuffers) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan *objectJob)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0)+1, max(len(jobs), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newCodec()
			defer c.close()
			bufs := &jobBuffers{}
			for j := range next {
				if err := fn(c, j, bufs); err != nil {
					cancel(err)
				}
			}
		}()
	}
	for i := range jobs {
		select {
		case next <- &jobs[i]:
			continue
		case <-ctx.Done():
		}
		break
	}
	close(next)
	wg.Wait()
	return context.Cause(ctx)
}

// piece is a range of the restored volume and where its bytes come from:
// extent ext (of chain[m]) or, when ext is nil, a hole.
type piece struct {
	off, n int64
	m      int
	ext    *ManifestExtent
}

// layout overlays the chain's extents, oldest first, on a volume of
// holes: the result covers the volume, sorted, each range naming the
// newest backup that recorded it.
func layout(chain []*Manifest) []piece {
	size := chain[len(chain)-1].Size
	cur := []piece{{off: 0, n: size}}
	if size == 0 {
		cur = nil
	}
	for mi, m := range chain {
		var next []piece
		bi := 0
		pos := int64(0)
		emit := func(from, to int64) {
			for bi < len(cur) && cur[bi].off+cur[bi].n <= from {
				bi++
			}
			for j := bi; j < len(cur) && cur[j].off < to; j++ {
				p := cur[j]
				s, e := max(p.off, from), min(p.off+p.n, to)
				if e > s {
					next = append(next, piece{off: s, n: e - s, m: p.m, ext: p.ext})
				}
			}
		}
		for k := range m.Extents {
			e := &m.Extents[k]
			emit(pos, e.Offset)
			p := piece{off: e.Offset, n: e.Length, m: mi}
			if !e.Hole {
				p.ext = e
			}
			next = append(next, p)
			pos = e.End()
		}
		emit(pos, size)
		cur = next
	}
	// Adjacent holes become one punch.
	out := cur[:0:0]
	for _, p := range cur {
		if n := len(out); n > 0 && p.ext == nil && out[n-1].ext == nil {
			out[n-1].n += p.n
			continue
		}
		out = append(out, p)
	}
	return out
}

// progressCounter reports cumulative progress; callers serialize add.
type progressCounter struct {
	p           Progress
	done, total int64
}

func (c *progressCounter) add(n int64) {
	c.done += n
	if c.p != nil {
		c.p.Progress(c.done, c.total)
	}
}
