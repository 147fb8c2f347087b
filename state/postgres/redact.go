package postgres

import (
	"cmp"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/slab-storage/slab/state"
)

// mask replaces a password in every message.
const mask = "xxxxx"

// redactor keeps a DSN's password out of text. Messages name the DSN (an
// operator needs to know which server failed), so it builds a masked DSN
// for them, and it scrubs every other message too: lib/pq and net/url
// quote the DSN they could not parse, password and all, and nothing
// promises that a driver error never will.
type redactor struct {
	dsn      string            // the DSN, every password masked
	replacer *strings.Replacer // nil when the DSN holds no password
	raw      []string          // the passwords as written in the DSN
}

// span is the byte range of a password in the DSN and whether it was
// written URL-escaped (URL form) or with libpq's quoting (key=value form).
type span struct {
	from, to int
	url      bool
}

func newRedactor(dsn string) *redactor {
	var spans []span
	if isURL(dsn) {
		spans = urlPasswordSpans(dsn)
	} else {
		spans = kvPasswordSpans(dsn)
	}
	r := &redactor{}
	var masked strings.Builder
	var secrets []string
	last := 0
	for _, sp := range spans {
		masked.WriteString(dsn[last:sp.from])
		masked.WriteString(mask)
		last = sp.to
		raw := dsn[sp.from:sp.to]
		r.raw = append(r.raw, raw)
		decoded := unquoteKV(raw)
		if sp.url {
			decoded = raw
			if d, err := url.PathUnescape(raw); err == nil {
				decoded = d
			}
			if d, err := url.QueryUnescape(raw); err == nil {
				secrets = append(secrets, d)
			}
		}
		secrets = append(secrets, raw, decoded)
		secrets = append(secrets, encodings(raw)...)
		secrets = append(secrets, encodings(decoded)...)
		// lib/pq quotes back single words of a value it misread as keys.
		if words := strings.Fields(raw); len(words) > 1 {
			for _, w := range words {
				secrets = append(secrets, w)
				secrets = append(secrets, encodings(w)...)
			}
		}
	}
	masked.WriteString(dsn[last:])
	r.dsn = masked.String()
	if pw := urlPassword(dsn); isURL(dsn) && pw != "" {
		secrets = append(secrets, pw)
		secrets = append(secrets, encodings(pw)...)
	}

	secrets = slices.DeleteFunc(secrets, func(s string) bool { return s == "" })
	if len(secrets) == 0 {
		return r
	}
	// Longest first: strings.Replacer tries the old strings in argument
	// order at each position, and a longer form must win over a shorter
	// one it contains.
	slices.SortFunc(secrets, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b)) })
	secrets = slices.Compact(secrets)
	pairs := make([]string, 0, 2*len(secrets))
	for _, s := range secrets {
		pairs = append(pairs, s, mask)
	}
	r.replacer = strings.NewReplacer(pairs...)
	return r
}

// encodings are the forms a password takes inside messages: escaped for a
// URL (userinfo, path, query), escaped for libpq's key=value quoting (lib/pq
// converts a URL to that form), and escaped as Go's %q prints it.
func encodings(s string) []string {
	q := strconv.Quote(s)
	return []string{
		url.QueryEscape(s),
		url.PathEscape(s),
		strings.TrimPrefix(url.UserPassword("", s).String(), ":"), // userinfo escaping
		strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s),
		q[1 : len(q)-1],
	}
}

// String returns s without the DSN's password.
func (r *redactor) String(s string) string {
	if r.replacer == nil {
		return s
	}
	return r.replacer.Replace(s)
}

// ParseError vets the error of a DSN that did not parse. A password the
// parser misread (pasted unescaped into a URL, unquoted with a space into
// key=value) can show in its message in pieces no mask matches, so a
// message sharing any two characters in a row with a password is
// withheld, and replaced by what usually went wrong. (The parser's
// message only matters for a DSN that is malformed anyway.)
func (r *redactor) ParseError(err error) error {
	msg := r.String(err.Error())
	for _, pw := range r.raw {
		for i := 0; i+2 <= len(pw); i++ {
			if strings.Contains(msg, pw[i:i+2]) {
				return errors.New("malformed connection string (the parser's message is withheld: it quotes the password); " +
					"in a URL, percent-encode the password's special characters (@ %40, / %2F, ? %3F, # %23, % %25, space %20); " +
					"in key=value form, single-quote it and escape ' and \\ with a backslash")
			}
		}
	}
	return err
}

// Error returns err unchanged when its message holds no password, else an
// error with the masked message that still answers errors.Is for what err
// wraps (context.Canceled, state.ErrNoLock). errors.As reaches only masked
// copies of a *state.LockedError and a *state.NotEmptyError, which callers
// need to name the holder or what a stack holds, and nothing else: any
// other error in the chain would hand out the unmasked message.
func (r *redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	masked := r.String(msg)
	if masked == msg {
		return err
	}
	out := &redactedError{msg: masked, cause: err}
	if le, ok := errors.AsType[*state.LockedError](err); ok {
		h := le.Holder
		h.ID, h.Stack, h.Who = r.String(h.ID), r.String(h.Stack), r.String(h.Who)
		h.Operation, h.Info = r.String(h.Operation), r.String(h.Info)
		out.locked = &state.LockedError{Holder: h}
	}
	if ne, ok := errors.AsType[*state.NotEmptyError](err); ok {
		c := *ne
		c.Stack.Name, c.Stack.Lineage = r.String(c.Stack.Name), r.String(c.Stack.Lineage)
		out.notEmpty = &c
	}
	return out
}

type redactedError struct {
	msg      string
	cause    error
	locked   *state.LockedError   // masked; nil when cause holds none
	notEmpty *state.NotEmptyError // masked; nil when cause holds none
}

func (e *redactedError) Error() string        { return e.msg }
func (e *redactedError) Is(target error) bool { return errors.Is(e.cause, target) }

func (e *redactedError) As(target any) bool {
	if p, ok := target.(**state.LockedError); ok && e.locked != nil {
		*p = e.locked
		return true
	}
	if p, ok := target.(**state.NotEmptyError); ok && e.notEmpty != nil {
		*p = e.notEmpty
		return true
	}
	return false
}

func isURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// urlPasswordSpans finds the password in a URL's userinfo and in any
// password= query parameter. A password pasted without escaping (an '@',
// '/', '?' or '#' in it) makes net/url read the URL differently, often
// without error, and net/url quotes a URL it refuses whole; so the
// userinfo runs to the last '@' of the string, masking too much rather
// than too little. Only a URL that parses without userinfo, with the '@'
// in its query and no '/' after it ("postgres://db/x?application_name=a@b")
// has none.
func urlPasswordSpans(s string) []span {
	start := strings.Index(s, "://") + len("://")
	var spans []span
	userinfoEnd := -1 // index of the '@' ending the userinfo
	if at := strings.LastIndex(s[start:], "@"); at >= 0 {
		userinfoEnd = start + at
		if u, err := url.Parse(s); err == nil && u.User == nil && u.Fragment == "" &&
			strings.Contains(u.RawQuery, "@") && !strings.Contains(s[userinfoEnd:], "/") {
			userinfoEnd = -1
		}
	}
	if userinfoEnd >= 0 {
		userinfo := s[start:userinfoEnd]
		if colon := strings.Index(userinfo, ":"); colon >= 0 && !strings.Contains(userinfo[:colon], "/") {
			spans = append(spans, span{start + colon + 1, userinfoEnd, true})
		}
	}
	rest := max(start, userinfoEnd)
	q := strings.Index(s[rest:], "?")
	if q < 0 {
		return spans
	}
	pos := rest + q + 1
	query, _, _ := strings.Cut(s[pos:], "#")
	for _, param := range strings.Split(query, "&") {
		k, v, ok := strings.Cut(param, "=")
		if key, err := url.QueryUnescape(k); ok && err == nil && strings.TrimSpace(key) == "password" {
			spans = append(spans, span{pos + len(k) + 1, pos + len(k) + 1 + len(v), true})
		}
		pos += len(param) + 1
	}
	return spans
}

// urlPassword is the password net/url reads from a URL, when it reads
// one: with a pasted '@' in the query it is shorter than the masked span
// and would otherwise escape the masks.
func urlPassword(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return ""
	}
	pw, _ := u.User.Password()
	return pw
}

// kvPasswordSpans finds password values in a libpq key=value string. It
// reads values as lib/pq does (spaces around '=', bare with backslash
// escapes, or single-quoted) but does not trust lib/pq's idea of where a
// key starts: every word "password" counts. A templated DSN with an empty
// variable ("user= password='…'") makes lib/pq read "password='…" as the
// user's value and quote the rest back as a bad key, and a missing '='
// ("password secret") likewise; masking too much there is the price of
// never masking too little.
func kvPasswordSpans(s string) []span {
	const key = "password"
	var spans []span
	i := 0
	skip := func() {
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsSpace(r) {
				return
			}
			i += n
		}
	}
	word := func() { // a bare value, backslash escapes included
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				return
			}
			if r == '\\' && i+n < len(s) {
				_, m := utf8.DecodeRuneInString(s[i+n:])
				n += m
			}
			i += n
		}
	}
	for from := 0; ; {
		k := strings.Index(strings.ToLower(s[from:]), key)
		if k < 0 {
			return spans
		}
		k += from
		from = k + len(key)
		if k > 0 { // only a word that starts here, not "mypassword"
			if r, _ := utf8.DecodeLastRuneInString(s[:k]); !unicode.IsSpace(r) && r != '=' && r != '\'' {
				continue
			}
		}
		i = from
		skip()
		if i < len(s) && s[i] == '=' {
			i++
			skip()
		}
		start := i
		if i < len(s) && s[i] == '\'' {
			i++
			for i < len(s) && s[i] != '\'' {
				if s[i] == '\\' {
					i++
				}
				i++
			}
			i = min(i+1, len(s)) // the closing quote, when there is one
		} else {
			word()
		}
		if i > start {
			spans = append(spans, span{start, i, false})
			from = i
		}
	}
}

// unquoteKV returns a key=value value as lib/pq reads it: quotes removed,
// backslash escapes resolved.
func unquoteKV(raw string) string {
	if strings.HasPrefix(raw, "'") {
		raw = strings.TrimSuffix(raw[1:], "'")
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		if raw[i] == '\\' && i+1 < len(raw) {
			i++
		}
		b.WriteByte(raw[i])
	}
	return b.String()
}

// Redact returns dsn with every password masked, for messages that name a
// PostgreSQL state location (the errors of Open and of the store do so
// already).
func Redact(dsn string) string { return newRedactor(dsn).dsn }
