package main

import (
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/slab-storage/slab/state/postgres/pgtest"
)

// wrongPassword has characters that URLs and libpq quoting escape, so
// that a leak of any encoded form shows; "Wr0ng" marks all of them.
const wrongPassword = `Wr0ng p@ss/w'ord`

// withPassword returns dsn, a pgtest URL, in both DSN forms with another
// password.
func withPassword(t *testing.T, dsn, pw string) map[string]string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	quoted := strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(pw)
	kv := fmt.Sprintf("host=%s port=%s user=%s password='%s' dbname=%s sslmode=disable",
		host, port, u.User.Username(), quoted, strings.TrimPrefix(u.Path, "/"))
	u.User = url.UserPassword(u.User.Username(), pw)
	return map[string]string{"url": u.String(), "key=value": kv}
}

// leaks says which form of a password out shows, if any.
func leaks(out, pw string) string {
	for _, form := range []string{pw, url.QueryEscape(pw), url.PathEscape(pw),
		strings.TrimPrefix(url.UserPassword("", pw).String(), ":"), "Wr0ng"} {
		if strings.Contains(out, form) {
			return form
		}
	}
	return ""
}

func TestAPasswordInTheStateDSNIsNeverPrinted(t *testing.T) {
	dir := quickstart(t)
	mustSlab(t, dir, 0, "apply", "-auto-approve") // a SQLite source to migrate from
	for form, dsn := range withPassword(t, pgtest.DSN(t), wrongPassword) {
		for _, tc := range []struct {
			name string
			env  []string
			args []string
		}{
			{"plan -state", nil, []string{"plan", "-state", dsn}},
			{"apply -state=", nil, []string{"apply", "-auto-approve", "-state=" + dsn}},
			{"state list -state", nil, []string{"state", "list", "-state", dsn}},
			{"plan with SLAB_STATE", stateEnv(dsn), []string{"plan"}},
			{"apply with SLAB_STATE", stateEnv(dsn), []string{"apply", "-auto-approve"}},
			{"state list with SLAB_STATE", stateEnv(dsn), []string{"state", "list"}},
			{"migrate to it", nil, []string{"state", "migrate", "-to", dsn}},
			{"migrate from it", stateEnv(dsn), []string{"state", "migrate", "-to", "copy.db"}},
			{"migrate from it to itself", nil, []string{"state", "migrate", "-state", dsn, "-to", dsn}},
		} {
			t.Run(form+"/"+tc.name, func(t *testing.T) {
				r := mustSlabEnv(t, dir, tc.env, 1, tc.args...)
				if !strings.Contains(r.stderr, "xxxxx") && !strings.Contains(r.stderr, "same state store") {
					t.Errorf("the error does not name the masked DSN:\n%s", r)
				}
				if form := leaks(r.stdout+r.stderr, wrongPassword); form != "" {
					t.Errorf("the password shows as %q:\n%s", form, r)
				}
			})
		}
	}
}

func TestALockRecordsTheCommandButNoFlagValues(t *testing.T) {
	dsn := pgtest.DSN(t)
	pw := dsnPassword(t, dsn)
	dir := quickstart(t)
	// An interactive apply holds the lock while it waits for its answer.
	p := startSlab(t, dir, nil, "apply", "-state="+dsn)
	answer, err := p.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.start(t)
	deadline := time.Now().Add(30 * time.Second)
	var info string
	db := sqlx.MustOpen("postgres", dsn)
	defer db.Close()
	for info == "" && time.Now().Before(deadline) {
		if err := db.Get(&info, `SELECT info FROM locks WHERE stack = 'quickstart'`); err != nil {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if !strings.Contains(info, "apply -state") || strings.Contains(info, pw) || strings.Contains(info, "postgres://") {
		t.Errorf("lock info = %q, want the command and its flag names, no values", info)
	}
	r := mustSlabEnv(t, dir, stateEnv(dsn), 1, "plan")
	if !strings.Contains(r.stderr, "Error acquiring the state lock") || strings.Contains(r.stderr, pw) {
		t.Errorf("the refusal of a second writer:\n%s", r)
	}
	_, _ = io.WriteString(answer, "no\n")
	if r := p.wait(t); r.code != 1 || !strings.Contains(r.stderr, "Apply cancelled.") {
		t.Errorf("the interactive apply:\n%s", r)
	}
}

func TestLockRowsNameTheCommandButNoArgumentValues(t *testing.T) {
	in := []string{"slab", "-chdir=x", "apply", "-state=postgres://u:s3cret@db/x", "-var", "pw=s3cret", "-var=token=s3cret", "plan.bin"}
	if got, want := commandSummary(in), "-chdir apply -state -var -var"; got != want {
		t.Errorf("commandSummary = %q, want %q", got, want)
	}
	if got, want := commandSummary([]string{"slab", "state", "rm", "-lock-timeout", "5s", "volume.x"}), "state rm -lock-timeout"; got != want {
		t.Errorf("commandSummary = %q, want %q", got, want)
	}
}
