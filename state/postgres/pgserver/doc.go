// Package pgserver starts and stops a throwaway PostgreSQL server: initdb
// into a temporary directory, then postgres itself on a free 127.0.0.1
// port (listen_addresses=127.0.0.1, its Unix socket in the temporary
// directory, fsync off), password authentication with a random password.
// Run as root, the server runs as the postgres system user (created when
// missing), since initdb refuses root.
//
// It is shared by the tests (through package pgtest, which adds a fresh
// database per test) and by the scale harness (cmd/slab-scale -postgres),
// so it must not import "testing".
//
// The server is a direct child of the calling process that the kernel
// kills when that process dies (a -timeout panic, a SIGKILL), so no run
// leaves a server behind; the directory of such a run is removed by the
// next Start. Server binaries are looked up in PATH, then in
// /usr/lib/postgresql/*/bin; without them Start returns ErrNotInstalled.
package pgserver
