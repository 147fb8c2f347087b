package sqlstore

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
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
	p, err := time.Parse(timeLayout, s)
	if err != nil {
		return fmt.Errorf("timestamp %q: %w", s, err)
	}
	*t = dbTime(p)
	return nil
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
