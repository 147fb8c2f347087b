package backup

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/slab-storage/slab/drivers"
)

// FormatVersion is the repository format this package writes; it reads
// only this version and refuses others by name.
const FormatVersion = 1

// HashBlockSize is the unit of change detection: the hash list holds one
// SHA-256 per 32 KiB block, as Cinder's chunked backup driver does.
const HashBlockSize = 32 << 10

// DefaultChunkSize is the largest uncompressed object a backup writes.
const DefaultChunkSize = 64 << 20

// Object names inside a backup; data objects are "chunk-<index>".
const (
	ManifestName = "manifest"
	HashesName   = "hashes"
	chunkPrefix  = "chunk-"
)

// Compression is how an object's bytes are stored.
type Compression string

const (
	None Compression = "none"
	Zstd Compression = "zstd"
	Gzip Compression = "gzip"
)

// ParseCompression checks a compression name; "" means zstd.
func ParseCompression(s string) (Compression, error) {
	switch Compression(s) {
	case "":
		return Zstd, nil
	case None, Zstd, Gzip:
		return Compression(s), nil
	}
	return "", fmt.Errorf("compression must be \"none\", \"zstd\" or \"gzip\", got %q", s)
}

// CheckChunkSize validates a chunk size; 0 means DefaultChunkSize.
func CheckChunkSize(n int64) (int64, error) {
	if n == 0 {
		return DefaultChunkSize, nil
	}
	if n < 0 || n%HashBlockSize != 0 {
		return 0, fmt.Errorf("chunk size must be a positive multiple of the %d KiB hash block, got %d bytes", HashBlockSize>>10, n)
	}
	if n > 1<<30 {
		return 0, fmt.Errorf("chunk size must be at most 1 GiB, got %d bytes", n)
	}
	return n, nil
}

// Manifest describes one backup. Extents of a full backup cover the whole
// volume; those of an incremental cover only what changed since the
// parent, and everything else is the parent's.
type Manifest struct {
	Format        int         `json:"format"`
	ID            string      `json:"id"`
	VolumeID      string      `json:"volume_id"`
	ParentID      string      `json:"parent_id,omitempty"`
	Created       time.Time   `json:"created"`
	Description   string      `json:"description,omitempty"`
	Size          int64       `json:"size"`
	ChunkSize     int64       `json:"chunk_size"`
	HashBlockSize int64       `json:"hash_block_size"`
	Compression   Compression `json:"compression"`
	// Extents are sorted, disjoint and block-aligned (the last may end at
	// Size): either a hole or a range of one object.
	Extents []ManifestExtent `json:"extents"`
	// Objects hold the data of the extents that are not holes: each is
	// the concatenation, in volume order, of the extents that name it.
	Objects []ObjectRef `json:"objects"`
	// Hashes is the stored hash list: Size/HashBlockSize (rounded up)
	// SHA-256 values of the whole volume's content, 32 bytes each.
	Hashes ObjectRef `json:"hashes"`
	// StoredBytes is the sum of the objects' stored lengths.
	StoredBytes int64 `json:"stored_bytes"`
}

// ManifestExtent is a range of the volume: a hole (reads as zeros) or
// bytes [ObjectOffset, ObjectOffset+Length) of an object's content.
type ManifestExtent struct {
	Offset       int64  `json:"offset"`
	Length       int64  `json:"length"`
	Hole         bool   `json:"hole,omitempty"`
	Object       string `json:"object,omitempty"`
	ObjectOffset int64  `json:"object_offset,omitempty"`
}

// End is the first byte after the extent.
func (e ManifestExtent) End() int64 { return e.Offset + e.Length }

// ObjectRef names a stored object and how to check it.
type ObjectRef struct {
	Name        string      `json:"name"`
	Compression Compression `json:"compression"`
	// Length is of the content; StoredLength and SHA256 are of the bytes
	// as stored (compressed with Compression).
	Length       int64  `json:"length"`
	StoredLength int64  `json:"stored_length"`
	SHA256       string `json:"sha256"`
}

// Incremental reports whether the backup chains to a parent.
func (m *Manifest) Incremental() bool { return m.ParentID != "" }

// Blocks is the number of hash blocks of the volume.
func (m *Manifest) Blocks() int64 { return blocks(m.Size) }

func blocks(size int64) int64 { return (size + HashBlockSize - 1) / HashBlockSize }

// encodeManifest renders the stored form: one line of JSON, then a line
// "sha256 <hex>" over the first line (newline included), so that any
// damage, truncation included, is detected before the JSON is trusted.
func encodeManifest(m *Manifest) ([]byte, error) {
	body, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	body = append(body, '\n')
	sum := sha256.Sum256(body)
	return append(body, "sha256 "+hex.EncodeToString(sum[:])+"\n"...), nil
}

// errDamaged is wrapped by every error about an unreadable manifest.
var errDamaged = errors.New("damaged manifest")

// decodeManifest parses and checks a stored manifest of backup id.
func decodeManifest(id string, b []byte) (*Manifest, error) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return nil, fmt.Errorf("%w: no checksum line (truncated?)", errDamaged)
	}
	body, trailer := b[:i+1], b[i+1:]
	hexSum, ok := bytes.CutPrefix(trailer, []byte("sha256 "))
	hexSum, ok2 := bytes.CutSuffix(hexSum, []byte("\n"))
	if !ok || !ok2 {
		return nil, fmt.Errorf("%w: no checksum line (truncated?)", errDamaged)
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != string(hexSum) {
		return nil, fmt.Errorf("%w: checksum mismatch", errDamaged)
	}
	var m Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("%w: %v", errDamaged, err)
	}
	if m.Format != FormatVersion {
		return nil, fmt.Errorf("repository format %d is not supported (this slab reads format %d)", m.Format, FormatVersion)
	}
	if err := m.check(id); err != nil {
		return nil, fmt.Errorf("%w: %v", errDamaged, err)
	}
	return &m, nil
}

// check validates a decoded manifest's structure, so that nothing in it
// can name a foreign object or make restore write outside the volume.
func (m *Manifest) check(id string) error {
	switch {
	case m.ID != id:
		return fmt.Errorf("manifest is for backup %q", m.ID)
	case !drivers.ValidID(m.VolumeID):
		return fmt.Errorf("invalid volume id %q", m.VolumeID)
	case m.ParentID != "" && !drivers.ValidID(m.ParentID):
		return fmt.Errorf("invalid parent id %q", m.ParentID)
	case m.ParentID == m.ID:
		return errors.New("backup is its own parent")
	case m.Size < 0:
		return fmt.Errorf("negative size %d", m.Size)
	case m.HashBlockSize != HashBlockSize:
		return fmt.Errorf("hash block size %d, want %d", m.HashBlockSize, HashBlockSize)
	}
	if _, err := CheckChunkSize(m.ChunkSize); err != nil {
		return err
	}
	if _, err := ParseCompression(string(m.Compression)); err != nil {
		return err
	}
	if err := m.Hashes.check(HashesName); err != nil {
		return err
	}
	if m.Hashes.Compression != None || m.Hashes.StoredLength != m.Blocks()*sha256.Size {
		return fmt.Errorf("hash list is %d bytes (%s), want %d uncompressed", m.Hashes.StoredLength, m.Hashes.Compression, m.Blocks()*sha256.Size)
	}
	objs := make(map[string]*ObjectRef, len(m.Objects))
	next := make(map[string]int64, len(m.Objects))
	for k := range m.Objects {
		o := &m.Objects[k]
		if err := o.check(""); err != nil {
			return err
		}
		if objs[o.Name] != nil {
			return fmt.Errorf("object %s is listed twice", o.Name)
		}
		if o.Length <= 0 || o.Length > m.ChunkSize || (o.Compression == None && o.StoredLength != o.Length) {
			return fmt.Errorf("object %s: length %d (stored %d, %s) does not fit the chunk size %d", o.Name, o.Length, o.StoredLength, o.Compression, m.ChunkSize)
		}
		objs[o.Name] = o
	}
	var end int64
	for _, e := range m.Extents {
		if e.Offset < end || e.Length <= 0 || e.Offset%HashBlockSize != 0 || e.End() > m.Size ||
			(e.Length%HashBlockSize != 0 && e.End() != m.Size) {
			return fmt.Errorf("extent [%d,+%d) is out of order, unaligned or outside the volume", e.Offset, e.Length)
		}
		end = e.End()
		if e.Hole != (e.Object == "") {
			return fmt.Errorf("extent [%d,+%d) must be either a hole or part of an object", e.Offset, e.Length)
		}
		if e.Hole {
			continue
		}
		if objs[e.Object] == nil {
			return fmt.Errorf("extent [%d,+%d) names object %q, which is not listed", e.Offset, e.Length, e.Object)
		}
		// An object is its extents' data in order, with no gap or overlap.
		if e.ObjectOffset != next[e.Object] {
			return fmt.Errorf("extent [%d,+%d) is at offset %d of object %s, want %d", e.Offset, e.Length, e.ObjectOffset, e.Object, next[e.Object])
		}
		next[e.Object] += e.Length
	}
	for name, o := range objs {
		if next[name] != o.Length {
			return fmt.Errorf("object %s holds %d bytes, its extents %d", name, o.Length, next[name])
		}
	}
	if !m.Incremental() && end != m.Size && len(m.Extents) > 0 {
		return fmt.Errorf("full backup extents end at %d, volume size is %d", end, m.Size)
	}
	return nil
}

// check validates an object reference; want, if set, is its only valid name.
func (o *ObjectRef) check(want string) error {
	if want != "" && o.Name != want {
		return fmt.Errorf("object %q, want %q", o.Name, want)
	}
	if want == "" && !validChunkName(o.Name) {
		return fmt.Errorf("invalid object name %q", o.Name)
	}
	if _, err := ParseCompression(string(o.Compression)); err != nil || o.Compression == "" {
		return fmt.Errorf("object %s: invalid compression %q", o.Name, o.Compression)
	}
	if o.StoredLength < 0 || o.Length < 0 {
		return fmt.Errorf("object %s: negative length", o.Name)
	}
	if b, err := hex.DecodeString(o.SHA256); err != nil || len(b) != sha256.Size {
		return fmt.Errorf("object %s: invalid sha256 %q", o.Name, o.SHA256)
	}
	return nil
}

func chunkName(i int) string { return fmt.Sprintf("%s%08d", chunkPrefix, i) }

func validChunkName(s string) bool {
	rest, ok := bytes.CutPrefix([]byte(s), []byte(chunkPrefix))
	if !ok || len(rest) != 8 {
		return false
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
