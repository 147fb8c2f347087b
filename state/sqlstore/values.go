package sqlstore

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"
)

// timeLayout is fixed-width UTC with nanoseconds: exact round-trips and
// text order equal to time order, on every dialect.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// dbTime stores a time.Time as timeLayout text. Reads always give UTC.
type dbTime time.Time

func (t dbTime) Value() (driver.Value, error) { return formatTime(time.Time(t)), nil }

func (t *dbTime) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	case time.Time: // a driver that parses timestamps itself
		*t = dbTime(v.UTC())
		return nil
	default:
		return fmt.Errorf("timestamp: unexpected %T", src)
	}
	if p, ok := parseFixedTime(s); ok {
		*t = dbTime(p)
		return nil
	}
	p, err := time.Parse(timeLayout, s) // not ours: let time say what is wrong
	if err != nil {
		return fmt.Errorf("timestamp %q: %w", s, err)
	}
	*t = dbTime(p)
	return nil
}

// parseFixedTime parses exactly what formatTime writes. Read parses two
// timestamps per row, and time.Parse's general layout walk was a tenth of
// a 10,000-volume Read; anything unexpected goes to time.Parse instead.
func parseFixedTime(s string) (time.Time, bool) {
	// 2006-01-02T15:04:05.000000000Z
	// 0123456789012345678901234567890
	if len(s) != len(timeLayout) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
		s[16] != ':' || s[19] != '.' || s[29] != 'Z' {
		return time.Time{}, false
	}
	num := func(from, to int) int {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, mo, d := num(0, 4), num(5, 7), num(8, 10)
	h, mi, sec, ns := num(11, 13), num(14, 16), num(17, 19), num(20, 29)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
		sec < 0 || sec > 59 || ns < 0 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.UTC)
	if t.Day() != d { // 31 February and the like: time.Date would roll over
		return time.Time{}, false
	}
	return t, true
}

// dbMap stores a map[string]string as a JSON object. A nil map is stored as
// {} and every read gives a non-nil map, so callers may write into what
// Read returns and nil and empty are not two different recorded states.
type dbMap map[string]string

func (m dbMap) Value() (driver.Value, error) {
	if len(m) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(map[string]string(m)) // sorted keys: stable rows
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func (m *dbMap) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("JSON map: unexpected %T", src)
	}
	if len(b) == 0 || string(b) == "{}" { // the common case; skip the decoder
		*m = dbMap{}
		return nil
	}
	if out, ok := decodeSimpleMap(b); ok {
		*m = out
		return nil
	}
	out := map[string]string{}
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("JSON map: %w", err)
	}
	*m = out
	return nil
}

// dbJSON stores raw JSON (pool stats) as text; empty is NULL and reads back
// as nil.
type dbJSON json.RawMessage

func (j dbJSON) Value() (driver.Value, error) {
	if len(j) == 0 {
		return nil, nil
	}
	return string(j), nil
}

func (j *dbJSON) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*j = nil
	case string:
		*j = dbJSON(v)
	case []byte:
		*j = append(dbJSON(nil), v...) // the driver may reuse v
	default:
		return fmt.Errorf("JSON: unexpected %T", src)
	}
	if len(*j) == 0 {
		*j = nil
	}
	return nil
}

// decodeSimpleMap decodes the compact form json.Marshal writes for a
// map[string]string, {"k":"v",...}, when no string holds an escape. It
// reports false for anything else, which then goes to encoding/json. It
// exists because Read decodes one map per volume and encoding/json's
// reflection was a fifth of the time of a 10,000-volume Read.
func decodeSimpleMap(b []byte) (map[string]string, bool) {
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' || !utf8.Valid(b) {
		return nil, false
	}
	out := make(map[string]string, 4)
	rest := b[1 : len(b)-1]
	for len(rest) > 0 {
		k, r, ok := simpleString(rest)
		if !ok || len(r) == 0 || r[0] != ':' {
			return nil, false
		}
		v, r, ok := simpleString(r[1:])
		if !ok {
			return nil, false
		}
		out[k] = v
		switch {
		case len(r) == 0:
			rest = r
		case r[0] == ',' && len(r) > 1:
			rest = r[1:]
		default:
			return nil, false
		}
	}
	return out, true
}

// simpleString reads a JSON string without escapes or control characters
// from the start of b and returns it and what follows.
func simpleString(b []byte) (string, []byte, bool) {
	if len(b) == 0 || b[0] != '"' {
		return "", nil, false
	}
	for i := 1; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return string(b[1:i]), b[i+1:], true
		case c == '\\' || c < 0x20:
			return "", nil, false
		}
	}
	return "", nil, false
}

// dbList stores a string list as JSON text; nil reads back as nil so that
// "no sensitive attributes" round-trips as it was written.
type dbList []string

func (l dbList) Value() (driver.Value, error) {
	if len(l) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal([]string(l))
	return string(b), err
}

func (l *dbList) Scan(src any) error {
	var raw []byte
	switch v := src.(type) {
	case string:
		raw = []byte(v)
	case []byte:
		raw = v
	case nil:
		*l = nil
		return nil
	default:
		return fmt.Errorf("list column holds %T", src)
	}
	var out []string
	if err := json.Unmarshal(raw, &out); err != nil {
		return fmt.Errorf("list column: %w", err)
	}
	if len(out) == 0 {
		out = nil
	}
	*l = out
	return nil
}
