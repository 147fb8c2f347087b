// Package filetest holds real-filesystem fixtures for tests of the file
// driver and of code built on it (backups, exports). It is imported only
// by tests.
package filetest
