package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lib/pq"

	"github.com/slab-storage/slab/state"
)

func TestRedactorMasksThePasswordInTheDSN(t *testing.T) {
	for _, tc := range []struct{ name, dsn, want string }{
		{"URL userinfo", "postgres://slab:s3cret@db.example:5432/slab?sslmode=require",
			"postgres://slab:xxxxx@db.example:5432/slab?sslmode=require"},
		{"postgresql scheme", "postgresql://slab:s3cret@db/slab", "postgresql://slab:xxxxx@db/slab"},
		{"URL-escaped characters", "postgres://slab:p%40ss%2Fw%3Ard@db/slab", "postgres://slab:xxxxx@db/slab"},
		{"an unescaped @ and / in the password", "postgres://slab:p@ss/w@db/slab", "postgres://slab:xxxxx@db/slab"},
		{"an unescaped ? and # in the password", "postgres://slab:s3?cr#et@db/slab?sslmode=disable",
			"postgres://slab:xxxxx@db/slab?sslmode=disable"},
		{"password query parameter", "postgres://slab@db/slab?sslmode=disable&password=s3cret&x=1",
			"postgres://slab@db/slab?sslmode=disable&password=xxxxx&x=1"},
		{"no password", "postgres://slab@db/slab", "postgres://slab@db/slab"},
		{"no userinfo, @ in the query", "postgres://db/slab?application_name=a@b", "postgres://db/slab?application_name=a@b"},
		{"no userinfo, a port and @ in the query", "postgres://db:5432/slab?application_name=a@b",
			"postgres://db:5432/slab?application_name=a@b"},
		{"an unescaped ? and @ in the password", "postgres://slab:s3?cr@t@db/slab", "postgres://slab:xxxxx@db/slab"},
		// Masks too much (the query's '@' might end a pasted password) but
		// still masks the password net/url reads.
		{"userinfo and @ in the query", "postgres://slab:s3cret@db/slab?application_name=a@b",
			"postgres://slab:xxxxx@b"},
		{"a bad port", "postgres://slab:s3cret@db:port/slab", "postgres://slab:xxxxx@db:port/slab"},
		{"key=value", "host=db user=slab password=s3cret dbname=slab", "host=db user=slab password=xxxxx dbname=slab"},
		{"key=value, spaces around =", "host=db password = s3cret dbname=slab", "host=db password = xxxxx dbname=slab"},
		{"key=value, quoted with a space and quotes", `host=db password='it\'s a s3cret' dbname=slab`,
			"host=db password=xxxxx dbname=slab"},
		{"key=value, backslash escape", `password=s3\ cret host=db`, "password=xxxxx host=db"},
		{"key=value, unterminated quote", `host=db password='s3cret`, "host=db password=xxxxx"},
		{"key=value, missing =", "host=db password s3cret dbname=slab", "host=db password xxxxx dbname=slab"},
		{"key=value, two passwords", "password=one host=db password=two", "password=xxxxx host=db password=xxxxx"},
		{"key=value, no password", "host=db user=slab", "host=db user=slab"},
		{"key=value, an empty value before the password", `host= user= password='s3 cret' dbname=x`,
			"host= user= password=xxxxx dbname=x"},
		{"key=value, password as another key's value", "user=password host=db", "user=password xxxxx"},
		{"key=value, a key ending in password", "mypassword=x host=db", "mypassword=x host=db"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRedactor(tc.dsn)
			if r.dsn != tc.want {
				t.Errorf("masked DSN = %q, want %q", r.dsn, tc.want)
			}
			// The DSN itself passed through String loses every password form.
			for _, secret := range []string{"s3cret", "s3 cret", "cret", "s3?cr#et", "s3?cr@t", "p@ss/w:rd", "p%40ss", "one", "two"} {
				if strings.Contains(tc.dsn, secret) && strings.Contains(r.String(tc.dsn), secret) {
					t.Errorf("String(dsn) = %q still holds %q", r.String(tc.dsn), secret)
				}
			}
		})
	}
}

func TestRedactorScrubsEveryFormOfThePassword(t *testing.T) {
	const pw = `p@ss w'rd\"/é`
	r := newRedactor("postgres://slab:" + urlUserinfoEscape(pw) + "@db/slab")
	for _, msg := range []string{
		"plain " + pw,
		fmt.Sprintf("quoted by %%q: %q", pw),
		"as lib/pq rewrites a URL: password='" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(pw) + "'",
		"query-escaped " + "p%40ss+w%27rd%5C%22%2F%C3%A9",
		"path-escaped " + "p@ss%20w%27rd%5C%22%2F%C3%A9",
	} {
		if got := r.String(msg); strings.Contains(got, "ss w") || strings.Contains(got, "ss+w") || strings.Contains(got, "ss%20w") {
			t.Errorf("String(%q) = %q: the password survived", msg, got)
		}
	}
}

// urlUserinfoEscape escapes s as a password in a URL's userinfo.
func urlUserinfoEscape(s string) string {
	return strings.TrimPrefix(url.UserPassword("", s).String(), ":")
}

func TestRedactedErrorsKeepWhatTheyWrap(t *testing.T) {
	r := newRedactor("postgres://slab:s3cret@db/slab")
	clean := fmt.Errorf("state: unlock: %w", state.ErrNoLock)
	if got := r.Error(clean); got != clean {
		t.Errorf("an error without the password was replaced: %v", got)
	}
	dirty := fmt.Errorf("dial s3cret: %w: %w", context.Canceled, state.ErrNoLock)
	got := r.Error(dirty)
	if strings.Contains(got.Error(), "s3cret") || strings.Contains(fmt.Sprintf("%+v %#v", got, got), "s3cret") {
		t.Errorf("masked error still shows the password: %+v", got)
	}
	if !errors.Is(got, context.Canceled) || !errors.Is(got, state.ErrNoLock) {
		t.Errorf("errors.Is lost what the masked error wraps")
	}
	if r.Error(nil) != nil {
		t.Error("Error(nil) != nil")
	}
}

func TestKVSpansAgreeWithUnquote(t *testing.T) {
	dsn := `a=1 password='x\'y z' b=2`
	spans := kvPasswordSpans(dsn)
	var got []string
	for _, sp := range spans {
		got = append(got, unquoteKV(dsn[sp.from:sp.to]))
	}
	if diff := cmp.Diff([]string{"x'y z"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// Passwords of awkward characters, written into both DSN forms the way a
// user would, never survive in the masked DSN or in lib/pq's and net/url's
// complaints about the DSN.
func TestRedactorPropertyOverAwkwardPasswords(t *testing.T) {
	const chars = `ab9 '"\@/:?#%&=+é€	`
	rng := rand.New(rand.NewPCG(1, 2))
	runes := []rune(chars)
	for range 2000 {
		var b strings.Builder
		b.WriteString("Zq") // a prefix no other part of the DSN holds
		for range 1 + rng.IntN(10) {
			b.WriteRune(runes[rng.IntN(len(runes))])
		}
		pw := b.String()
		kvQuoted := strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(pw)
		for _, dsn := range []string{
			"postgres://slab:" + url.QueryEscape(pw) + "@db:5432/slab?sslmode=disable",
			"postgres://slab:" + url.PathEscape(pw) + "@db/slab",
			"postgres://slab:" + pw + "@db/slab", // unescaped, as people paste it
			"postgres://slab@db/slab?password=" + url.QueryEscape(pw),
			"host=db user=slab password='" + kvQuoted + "' dbname=slab",
			"host= user= password='" + kvQuoted + "' dbname=slab",
		} {
			r := newRedactor(dsn)
			var msgs []string
			msgs = append(msgs, r.dsn)
			if _, err := pq.NewConfig(dsn); err != nil { // as Open reports it
				msgs = append(msgs, r.Error(r.ParseError(err)).Error())
			}
			for _, m := range msgs {
				if strings.Contains(m, "Zq") {
					t.Fatalf("password %q from DSN %q survives in %q", pw, dsn, m)
				}
			}
		}
	}
}

func TestRedactMasksTheExportedDSN(t *testing.T) {
	for dsn, want := range map[string]string{
		"postgres://slab:s3cret@db/slab":   "postgres://slab:xxxxx@db/slab",
		"host=db password=s3cret dbname=x": "host=db password=xxxxx dbname=x",
		"postgres://slab@db/slab":          "postgres://slab@db/slab",
	} {
		if got := Redact(dsn); got != want {
			t.Errorf("Redact(%q) = %q, want %q", dsn, got, want)
		}
	}
}

func TestRedactedErrorsHandOutMaskedTypedErrors(t *testing.T) {
	r := newRedactor("postgres://slab:s3cret@db/slab")
	ne := &state.NotEmptyError{Stack: state.Stack{Name: "s3cret-stack", Lineage: "l", Serial: 3}, Objects: 2, History: 4}
	got := r.Error(fmt.Errorf("restore: %w", ne))
	masked, ok := errors.AsType[*state.NotEmptyError](got)
	if !ok {
		t.Fatalf("errors.As lost the NotEmptyError: %v", got)
	}
	if strings.Contains(masked.Error(), "s3cret") || masked.Objects != 2 || masked.History != 4 || masked.Stack.Serial != 3 {
		t.Errorf("masked NotEmptyError = %+v", masked)
	}
}
