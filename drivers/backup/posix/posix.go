package posix

import (
	"context"
	"errors"
)

// Repo is a posix backup repository. It is safe for concurrent use.
type Repo struct {
	root string
}

var errNotYet = errors.New("not implemented yet")

// Open opens (creating when missing) the repository directory at path.
func Open(path string) (*Repo, error) { return nil, errNotYet }

// Path is the repository's absolute directory.
func (r *Repo) Path() string { return r.root }

// Put implements backup.Repository.
func (r *Repo) Put(ctx context.Context, id, name string, data []byte) error { return errNotYet }

// Get implements backup.Repository.
func (r *Repo) Get(ctx context.Context, id, name string) ([]byte, error) { return nil, errNotYet }

// Delete implements backup.Repository.
func (r *Repo) Delete(ctx context.Context, id, name string) error { return errNotYet }

// Backups implements backup.Repository.
func (r *Repo) Backups(ctx context.Context) ([]string, error) { return nil, errNotYet }

// Objects implements backup.Repository.
func (r *Repo) Objects(ctx context.Context, id string) ([]string, error) { return nil, errNotYet }
