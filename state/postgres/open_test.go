package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/slab-storage/slab/state"
	"github.com/slab-storage/slab/state/postgres"
	"github.com/slab-storage/slab/state/postgres/pgtest"
)

// secret is a wrong password with characters that every encoding (URL,
// libpq quoting, Go's %q) writes differently.
const secret = `Wr0ng p@ss/w'rd\"é`

// secretForms are the ways secret could show up in a message.
var secretForms = []string{secret, "Wr0ng", "p@ss", url.QueryEscape(secret), url.PathEscape(secret),
	strings.TrimPrefix(url.UserPassword("", secret).String(), ":"), fmt.Sprintf("%q", secret)}

func checkNoSecret(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("Open succeeded")
	}
	for _, msg := range []string{err.Error(), fmt.Sprintf("%v %+v %s", err, err, err)} {
		for _, f := range secretForms {
			if strings.Contains(msg, f) {
				t.Errorf("the error shows the password (as %q): %s", f, msg)
			}
		}
	}
}

// server returns where a pgtest database is, whichever form its DSN has.
func server(t *testing.T) pq.Config {
	t.Helper()
	cfg, err := pq.NewConfig(pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// withPassword returns the DSN of cfg's database with password pw, in URL
// and in key=value form.
func withPassword(cfg pq.Config, pw string) (urlForm, kvForm string) {
	port := strconv.Itoa(int(cfg.Port))
	u := url.URL{Scheme: "postgres", User: url.UserPassword(cfg.User, pw), Host: net.JoinHostPort(cfg.Host, port),
		Path: "/" + cfg.Database, RawQuery: "sslmode=disable"}
	kv := fmt.Sprintf("host=%s port=%s user=%s password='%s' dbname=%s sslmode=disable", cfg.Host, port,
		cfg.User, strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(pw), cfg.Database)
	return u.String(), kv
}

func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
	_ = l.Close()
	return port
}

func TestOpenWithAWrongPasswordDoesNotShowIt(t *testing.T) {
	cfg := server(t)
	urlForm, kvForm := withPassword(cfg, secret)
	for name, dsn := range map[string]string{"URL": urlForm, "key=value": kvForm} {
		t.Run(name, func(t *testing.T) {
			s, err := postgres.Open(context.Background(), dsn)
			if err == nil && os.Getenv(pgtest.EnvDSN) != "" {
				_ = s.Close()
				t.Skip("the server in " + pgtest.EnvDSN + " does not check passwords")
			}
			checkNoSecret(t, err)
			if !strings.Contains(err.Error(), "password authentication failed") {
				t.Errorf("error does not say why: %v", err)
			}
			if !strings.Contains(err.Error(), "xxxxx") || !strings.Contains(err.Error(), cfg.Host) {
				t.Errorf("error does not name the masked DSN: %v", err)
			}
		})
	}
}

func TestOpenOnAnUnreachableServerDoesNotShowThePassword(t *testing.T) {
	port := closedPort(t)
	for name, dsn := range map[string]string{
		"URL":       "postgres://slab:" + url.PathEscape(secret) + "@127.0.0.1:" + port + "/slab?sslmode=disable",
		"key=value": "host=127.0.0.1 port=" + port + " user=slab password='" + strings.ReplaceAll(secret, `'`, `\'`) + "' sslmode=disable",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := postgres.Open(context.Background(), dsn)
			checkNoSecret(t, err)
			if !strings.Contains(err.Error(), "connection refused") || !strings.Contains(err.Error(), "127.0.0.1") {
				t.Errorf("error does not say why: %v", err)
			}
		})
	}

	t.Run("a server that never answers gives up when the context ends", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		go func() { // accept and say nothing
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				defer c.Close()
			}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = postgres.Open(ctx, "postgres://slab:"+url.PathEscape(secret)+"@"+l.Addr().String()+"/slab?sslmode=disable")
		checkNoSecret(t, err)
		if waited := time.Since(start); waited > 10*time.Second {
			t.Errorf("Open returned after %v", waited)
		}
	})
}

func TestOpenWithAMalformedDSNDoesNotShowThePassword(t *testing.T) {
	for _, dsn := range []string{
		// net/url quotes the whole URL in its error.
		"postgres://slab:" + url.PathEscape(secret) + "@127.0.0.1:notaport/slab",
		"postgres://slab:Wr0ng%zz@127.0.0.1/slab",
		// lib/pq quotes the word it could not read as a key.
		"host=127.0.0.1 password Wr0ng dbname=slab",
		"host=127.0.0.1 password='Wr0ng",
		"postgres://slab@127.0.0.1/slab?password=Wr0ng&sslmode=bogus",
	} {
		t.Run(dsn[:min(len(dsn), 20)], func(t *testing.T) {
			_, err := postgres.Open(context.Background(), dsn)
			checkNoSecret(t, err)
		})
	}
}

func TestStoreErrorsDoNotShowThePassword(t *testing.T) {
	// The holder's name happens to contain the password: the LockedError
	// is masked, and still a LockedError.
	dsn := pgtest.DSN(t)
	cfg, err := pq.NewConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	// A very short password would also mask parts of the lock's ID.
	pw := cfg.Password
	if len(pw) < 5 {
		t.Skip("the test server's DSN has no password long enough to look for")
	}
	s := openDSN(t, dsn)
	ctx := context.Background()
	held, err := s.LockWith(ctx, state.Lock{Stack: "main", Who: "ci-" + pw, Operation: "apply", Info: "token " + pw}, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = openDSN(t, dsn).Lock(ctx, "main", "bob", "plan", 0)
	if err == nil || strings.Contains(err.Error(), pw) {
		t.Fatalf("err = %v, want a LockedError without the password", err)
	}
	le, ok := errors.AsType[*state.LockedError](err)
	if !ok || le.Holder.ID != held.ID || strings.Contains(le.Holder.Who+le.Holder.Info, pw) {
		t.Errorf("LockedError = %+v, want the holder's ID and masked names", le)
	}
}
