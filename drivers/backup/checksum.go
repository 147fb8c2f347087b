package backup

import (
	"crypto/sha256"
	"encoding/hex"
)

// Every checksum in a repository is a SHA-256 "block tree": the SHA-256
// of the concatenated SHA-256 digests of the data's 32 KiB pieces (the
// last may be shorter). It detects any damage as well as a plain SHA-256,
// and for an object stored uncompressed its pieces are exactly the volume
// blocks whose hashes the hash list needs anyway, so the content is
// hashed once, not twice.

type digest = [sha256.Size]byte

// zeroBlockHash is the hash of a whole block of zeros.
var zeroBlockHash = sha256.Sum256(make([]byte, HashBlockSize))

// zeroHash returns the hash of n zero bytes (n ≤ HashBlockSize).
func zeroHash(n int) digest {
	if n == HashBlockSize {
		return zeroBlockHash
	}
	return sha256.Sum256(make([]byte, n))
}

// blockHashes appends the SHA-256 of each 32 KiB piece of b to out.
func blockHashes(out []digest, b []byte) []digest {
	for off := 0; off < len(b); off += HashBlockSize {
		out = append(out, sha256.Sum256(b[off:min(off+HashBlockSize, len(b))]))
	}
	return out
}

// treeSum is the block-tree checksum over piece hashes, hex-encoded.
func treeSum(pieces []digest) string {
	h := sha256.New()
	for i := range pieces {
		h.Write(pieces[i][:])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// treeSumOf hashes b's pieces and returns its block-tree checksum and
// the piece hashes (appended to scratch).
func treeSumOf(scratch []digest, b []byte) (string, []digest) {
	pieces := blockHashes(scratch[:0], b)
	return treeSum(pieces), pieces
}

// isZero reports whether b holds only zeros; it stops at the first
// non-zero word, so data blocks cost almost nothing.
func isZero(b []byte) bool {
	for len(b) >= 8 {
		if b[0]|b[1]|b[2]|b[3]|b[4]|b[5]|b[6]|b[7] != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
