package pgserver

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lib/pq" // also the "postgres" driver
)

// dirPrefix names the throwaway servers' directories in os.TempDir().
const dirPrefix = "slab-pgserver-"

// Server is a throwaway PostgreSQL server, a child of this process.
type Server struct {
	dir      string // everything: data, socket, password file, log
	port     int
	password string
	cmd      *exec.Cmd
	exited   chan struct{} // closed when the postmaster has exited
}

// DSN is the connection string of database db on the server, as the
// postgres superuser with its password.
func (s *Server) DSN(db string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword("postgres", s.password),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)), Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

// ErrNotInstalled is Start's error when the server binaries are missing.
var ErrNotInstalled = errors.New("PostgreSQL server binaries (initdb, postgres) not found in PATH or /usr/lib/postgresql/*/bin: " +
	"install the postgresql package (`make deps` does it, or apt-get install postgresql)")

// versionedBinGlob is where Debian and Ubuntu install each server version
// (a variable for the test of the missing-binaries message).
var versionedBinGlob = "/usr/lib/postgresql/*/bin"

// findBinaries returns initdb and postgres of one installation: PATH
// first, then the newest /usr/lib/postgresql/<version>/bin.
func findBinaries() (initdb, postgres string, err error) {
	var dirs []string
	if p, err := exec.LookPath("initdb"); err == nil {
		// PATH may hold symlinks into a versioned directory; take
		// postgres from beside the real initdb so the versions agree.
		if real, err := filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(real))
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	versioned, _ := filepath.Glob(versionedBinGlob)
	version := func(dir string) int {
		n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
		return n
	}
	slices.SortFunc(versioned, func(a, b string) int { return version(b) - version(a) })
	for _, dir := range append(dirs, versioned...) {
		i, p := filepath.Join(dir, "initdb"), filepath.Join(dir, "postgres")
		if executable(i) && executable(p) {
			return i, p, nil
		}
	}
	return "", "", ErrNotInstalled
}

func executable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular() && info.Mode().Perm()&0o111 != 0
}

// Start runs initdb in a new temporary directory and starts the server on
// a free loopback port. Stop it with Stop; if this process dies first,
// the kernel kills the server and the next Start removes its directory.
func Start() (_ *Server, err error) {
	initdb, postgres, err := findBinaries()
	if err != nil {
		return nil, err
	}
	sweepStale()
	dir, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(dir)
		}
	}()
	// The owner file lets a later run remove this directory if this
	// process dies before Stop.
	if err := os.WriteFile(filepath.Join(dir, "owner"), []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
		return nil, err
	}
	s := &Server{dir: dir, password: randomHex(16)}
	pwfile, sock, data := filepath.Join(dir, "pwfile"), filepath.Join(dir, "sock"), filepath.Join(dir, "data")
	if err := os.WriteFile(pwfile, []byte(s.password+"\n"), 0o600); err != nil {
		return nil, err
	}
	if err := os.Mkdir(sock, 0o700); err != nil {
		return nil, err
	}
	cred, err := serverUser(dir, pwfile, sock)
	if err != nil {
		return nil, err
	}

	// Password authentication over TCP, so that the tests exercise what a
	// real deployment does (and a wrong password fails); trust only on the
	// Unix socket, which sits in a directory only the server user can open.
	// --no-sync and fsync=off: a test server's data may be lost on a crash.
	out, err := run(cred, initdb, "-D", data, "-U", "postgres", "--pwfile", pwfile,
		"--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	if err != nil {
		hint := ""
		if cred != nil {
			hint = fmt.Sprintf("\n(initdb runs as the postgres user: every directory above %s must let it in)", dir)
		}
		return nil, fmt.Errorf("initdb: %v\n%s%s", err, out, hint)
	}
	conf := strings.Join([]string{"",
		"listen_addresses = '127.0.0.1'",
		"unix_socket_directories = '" + sock + "'",
		"fsync = off",
		"synchronous_commit = off",
		"full_page_writes = off",
		// Every test opens stores of up to 8 connections, the cross-process
		// tests several at once, each slab process of the e2e tests its own.
		"max_connections = 200",
		""}, "\n")
	if err := appendFile(filepath.Join(data, "postgresql.conf"), conf); err != nil {
		return nil, err
	}

	// The port is free when picked but may be taken before the server
	// binds it: pick another and retry then.
	for attempt := 1; ; attempt++ {
		s.port, err = freePort()
		if err != nil {
			return nil, err
		}
		log, err := s.start(cred, postgres, data)
		if err == nil {
			return s, nil
		}
		if attempt == 3 || !strings.Contains(log, "could not bind") {
			return nil, fmt.Errorf("start postgres: %v\n%s", err, log)
		}
	}
}

// start starts the postmaster and waits until it accepts connections. On
// failure it returns the server's log.
func (s *Server) start(cred *syscall.Credential, postgres, data string) (string, error) {
	logPath := filepath.Join(s.dir, "server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return "", err
	}
	defer logFile.Close() // the child has its own descriptor
	cmd := exec.Command(postgres, "-D", data, "-p", strconv.Itoa(s.port))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: cred,
		// The kernel kills the server when its parent dies, however it
		// dies; its backends then exit on their own.
		Pdeathsig: syscall.SIGKILL,
		// Its own process group: a Ctrl-C meant for the parent (go test,
		// the scale harness) reaches the server through Stop, not in the
		// middle of the parent's work.
		Setpgid: true,
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); close(s.exited) }()

	db, err := sql.Open("postgres", s.DSN("postgres"))
	if err != nil {
		_ = s.kill()
		return "", err
	}
	defer db.Close()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = db.PingContext(ctx)
		cancel()
		if err == nil {
			return "", nil
		}
		select {
		case <-s.exited:
			b, _ := os.ReadFile(logPath)
			return string(b), fmt.Errorf("the server exited: %s", cmd.ProcessState)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = s.kill()
			b, _ := os.ReadFile(logPath)
			return string(b), fmt.Errorf("not accepting connections after a minute: %v", err)
		}
	}
}

// Stop shuts the server down (fast shutdown: open sessions are ended) and
// removes its directory.
func (s *Server) Stop() error {
	var err error
	if s.cmd != nil {
		_ = s.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-s.exited:
		case <-time.After(30 * time.Second):
			err = errors.New("no shutdown after 30 s; killed")
			_ = s.kill()
		}
	}
	return errors.Join(err, os.RemoveAll(s.dir))
}

// CreateDatabase creates database name through admin, a connection to
// any database of the server as a role that may CREATE DATABASE.
func CreateDatabase(ctx context.Context, admin *sql.DB, name string) error {
	_, err := admin.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name))
	return err
}

func (s *Server) kill() error {
	err := s.cmd.Process.Kill()
	<-s.exited
	return err
}

// serverUser returns the credential to run initdb and postgres with: nil
// (this process's) unless it runs as root, which initdb refuses. Then it
// is the postgres system user, created when missing, and the paths are
// handed to it.
func serverUser(paths ...string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		out, addErr := exec.Command("useradd", "--system", "--user-group", "--no-create-home",
			"--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", "postgres").CombinedOutput()
		if addErr != nil {
			return nil, fmt.Errorf("running as root, the server needs the postgres system user, and useradd failed: %v\n%s", addErr, out)
		}
		if u, err = user.Lookup("postgres"); err != nil {
			return nil, err
		}
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, err
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, err
	}
	for _, p := range paths {
		if err := os.Chown(p, int(uid), int(gid)); err != nil {
			return nil, err
		}
	}
	// Groups empty: drop root's supplementary groups too.
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

func run(cred *syscall.Credential, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	cmd.Dir = os.TempDir() // a directory the server user may enter
	return cmd.CombinedOutput()
}

// sweepStale removes the directories of earlier runs whose parent is
// gone (a -timeout panic or a kill skips Stop). Their servers died with
// them.
func sweepStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, "owner"))
		if err != nil {
			continue // not ours to judge
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			_ = os.RemoveAll(dir)
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(text)
	return errors.Join(err, f.Close())
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails on Linux
	return hex.EncodeToString(b)
}
