package backup

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"

	"github.com/slab-storage/slab/drivers"
)

// ReadManifest reads and checks backup id's manifest. A backup without
// one is ErrNotFound; a damaged one is a *CorruptError.
func ReadManifest(ctx context.Context, repo Repository, id string) (*Manifest, error) {
	if !drivers.ValidID(id) {
		return nil, fmt.Errorf("invalid backup id %q", id)
	}
	b, err := repo.Get(ctx, id, ManifestName)
	if errors.Is(err, ErrObjectNotFound) {
		return nil, fmt.Errorf("backup %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("backup %s: reading %s: %w", id, ManifestName, err)
	}
	m, err := decodeManifest(id, b)
	if err != nil {
		return nil, &CorruptError{ID: id, Object: ManifestName, Err: err}
	}
	return m, nil
}

// maxChain bounds a chain walk, so that a repository whose parent links
// loop fails instead of spinning.
const maxChain = 10000

// Chain returns the manifests from the full backup to id, oldest first.
// Every link must be present, of the same volume and of the same size.
func Chain(ctx context.Context, repo Repository, id string) ([]*Manifest, error) {
	var chain []*Manifest
	seen := map[string]bool{}
	for cur := id; cur != ""; {
		if seen[cur] || len(chain) >= maxChain {
			return nil, &CorruptError{ID: id, Err: fmt.Errorf("the parent links loop at %s", cur)}
		}
		seen[cur] = true
		m, err := ReadManifest(ctx, repo, cur)
		if errors.Is(err, ErrNotFound) && cur != id {
			child := chain[len(chain)-1]
			return nil, &CorruptError{ID: child.ID, Err: fmt.Errorf("its parent backup %s is missing", cur)}
		}
		if err != nil {
			return nil, err
		}
		if n := len(chain); n > 0 {
			child := chain[n-1]
			if m.VolumeID != child.VolumeID || m.Size != child.Size {
				return nil, &CorruptError{ID: child.ID, Err: fmt.Errorf("its parent %s is of volume %s (%d bytes), not %s (%d bytes)",
					m.ID, m.VolumeID, m.Size, child.VolumeID, child.Size)}
			}
		}
		chain = append(chain, m)
		cur = m.ParentID
	}
	slices.Reverse(chain)
	return chain, nil
}

// List returns the manifests of every complete backup, sorted by
// creation time then ID. Backups whose manifest is damaged are returned
// in damaged (as *CorruptError), so a listing still shows them; backups
// without a manifest are incomplete and not listed.
func List(ctx context.Context, repo Repository) (backups []*Manifest, damaged []error, err error) {
	ids, err := repo.Backups(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, id := range ids {
		m, err := ReadManifest(ctx, repo, id)
		switch {
		case errors.Is(err, ErrNotFound):
		case errors.Is(err, ErrCorrupt):
			damaged = append(damaged, err)
		case err != nil:
			return nil, nil, err
		default:
			backups = append(backups, m)
		}
	}
	slices.SortFunc(backups, func(a, b *Manifest) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return backups, damaged, nil
}

// Delete removes backup id: the manifest first, so that from then on the
// backup is not complete, then the hash list and data objects. Deleting a
// missing backup succeeds. It does not look for dependents; refusing to
// break a chain is the caller's policy (see Dependents).
func Delete(ctx context.Context, repo Repository, id string) error {
	if !drivers.ValidID(id) {
		return fmt.Errorf("invalid backup id %q", id)
	}
	if err := repo.Delete(ctx, id, ManifestName); err != nil {
		return fmt.Errorf("delete backup %s: %w", id, err)
	}
	return clearObjects(ctx, repo, id)
}

// clearObjects deletes every object of a backup that has no manifest.
func clearObjects(ctx context.Context, repo Repository, id string) error {
	names, err := repo.Objects(ctx, id)
	if err != nil {
		return fmt.Errorf("backup %s: %w", id, err)
	}
	for _, n := range names {
		if err := repo.Delete(ctx, id, n); err != nil {
			return fmt.Errorf("backup %s: delete %s: %w", id, n, err)
		}
	}
	return nil
}

// loadHashes reads and checks backup m's hash list.
func loadHashes(ctx context.Context, repo Repository, m *Manifest) ([]byte, error) {
	b, err := getObject(ctx, repo, m.ID, &m.Hashes, nil)
	if err != nil {
		return nil, err
	}
	if _, err := checkSum(m.ID, &m.Hashes, b, nil); err != nil {
		return nil, err
	}
	if int64(len(b)) != m.Blocks()*sha256.Size {
		return nil, &CorruptError{ID: m.ID, Object: HashesName, Err: fmt.Errorf("%d bytes, want %d", len(b), m.Blocks()*sha256.Size)}
	}
	return b, nil
}

// getObject reads an object and checks its length (the caller checks its
// checksum), into buf where the repository can.
func getObject(ctx context.Context, repo Repository, id string, ref *ObjectRef, buf []byte) ([]byte, error) {
	var b []byte
	var err error
	if r, ok := repo.(ObjectReader); ok {
		b, err = r.ReadObject(ctx, id, ref.Name, buf)
	} else {
		b, err = repo.Get(ctx, id, ref.Name)
	}
	if errors.Is(err, ErrObjectNotFound) {
		return nil, &CorruptError{ID: id, Object: ref.Name, Err: errors.New("missing")}
	}
	if err != nil {
		return nil, fmt.Errorf("backup %s: reading object %s: %w", id, ref.Name, err)
	}
	if int64(len(b)) != ref.StoredLength {
		return nil, &CorruptError{ID: id, Object: ref.Name, Err: fmt.Errorf("%d bytes stored, want %d (truncated?)", len(b), ref.StoredLength)}
	}
	return b, nil
}

// checkSum verifies stored bytes against ref's checksum, returning the
// piece hashes it computed (appended to scratch).
func checkSum(id string, ref *ObjectRef, b []byte, scratch []digest) ([]digest, error) {
	sum, pieces := treeSumOf(scratch, b)
	if sum != ref.SHA256 {
		return pieces, &CorruptError{ID: id, Object: ref.Name, Err: errors.New("checksum mismatch")}
	}
	return pieces, nil
}
