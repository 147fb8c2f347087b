// Package pgtest gives tests a real PostgreSQL database. It is test
// support: only _test.go files import it.
//
// DSN returns the connection string of a fresh, empty database, created
// for that call with a unique name, so tests never see each other's rows:
//   - with SLAB_TEST_POSTGRES set, on that server (its role needs
//     CREATEDB); the databases are dropped when the test ends.
//   - otherwise on one throwaway server per test binary, started on first
//     use by package pgserver (initdb into a temporary directory, postgres
//     on a free loopback port, password authentication, fsync off).
//
// The test binary's TestMain must call Main (or Run, when it has more to
// clean up), which stops the server and removes its directory when the
// tests end. The server is a direct child of the test binary that the
// kernel kills when the binary dies (a -timeout panic, a SIGKILL), so no
// run leaves a server behind; the directory of such a run is removed by
// the next run.
//
// When neither SLAB_TEST_POSTGRES nor the server binaries (PATH, then
// /usr/lib/postgresql/*/bin) are there, DSN fails the test and says to
// install the postgresql package (`make deps` does it). It never skips:
// a skipped store test looks like a passing one.
package pgtest
