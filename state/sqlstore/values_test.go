package sqlstore

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeSimpleMapAgreesWithEncodingJSON(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     string
		simple bool // whether the fast path takes it
	}{
		{"one pair", `{"a":"b"}`, true},
		{"several pairs", `{"a":"1","b":"","c":"x y"}`, true},
		{"non-ASCII text", `{"ünï":"çødé ✓"}`, true},
		{"a duplicate key keeps the last value", `{"a":"1","a":"2"}`, true},
		{"an escaped quote goes to encoding/json", `{"a\"b":"c"}`, false},
		{"a unicode escape goes to encoding/json", `{"a":"\u003c"}`, false},
		{"whitespace goes to encoding/json", `{ "a": "b" }`, false},
		{"a number value goes to encoding/json", `{"a":1}`, false},
		{"a trailing comma is refused", `{"a":"b",}`, false},
		{"a missing colon is refused", `{"a""b"}`, false},
		{"an unterminated string is refused", `{"a":"b}`, false},
		{"invalid UTF-8 goes to encoding/json", "{\"a\":\"\xff\"}", false},
		{"not an object", `["a"]`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := decodeSimpleMap([]byte(tc.in))
			if ok != tc.simple {
				t.Fatalf("fast path taken = %v, want %v", ok, tc.simple)
			}
			var m dbMap
			err := m.Scan(tc.in)
			var want map[string]string
			wantErr := json.Unmarshal([]byte(tc.in), &want)
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("Scan error %v, encoding/json error %v", err, wantErr)
			}
			if err == nil {
				if diff := cmp.Diff(want, map[string]string(m)); diff != "" {
					t.Errorf("Scan (-encoding/json +got):\n%s", diff)
				}
			}
			if ok {
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("fast path (-encoding/json +got):\n%s", diff)
				}
			}
		})
	}
}

func FuzzDecodeSimpleMap(f *testing.F) {
	for _, s := range []string{`{"a":"b"}`, `{"a":"1","b":""}`, `{"a\"":"b"}`, `{}`, `{"a":"b",}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, ok := decodeSimpleMap([]byte(in))
		if !ok {
			return
		}
		var want map[string]string
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatalf("fast path accepted %q, encoding/json: %v", in, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%q (-encoding/json +fast):\n%s", in, diff)
		}
	})
}

func TestMapsAreStoredAsSortedJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   dbMap
		want string
	}{
		{"a nil map is stored as an empty object", nil, `{}`},
		{"an empty map is stored as an empty object", dbMap{}, `{}`},
		{"keys are stored sorted", dbMap{"b": "2", "a": "1"}, `{"a":"1","b":"2"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.in.Value()
			if err != nil || got != tc.want {
				t.Errorf("Value() = %v, %v; want %s", got, err, tc.want)
			}
		})
	}
}

func TestTimesAreFixedWidthUTCText(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   time.Time
		want string
	}{
		{"nanoseconds are kept", time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC), "2025-01-02T03:04:05.000000006Z"},
		{"other zones are stored as UTC", time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("", -3600)), "2025-01-02T04:04:05.000000000Z"},
		{"the zero time is stored", time.Time{}, "0001-01-01T00:00:00.000000000Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, _ := dbTime(tc.in).Value()
			if v != tc.want {
				t.Errorf("Value() = %v, want %s", v, tc.want)
			}
			var back dbTime
			if err := back.Scan(v); err != nil || !time.Time(back).Equal(tc.in) || time.Time(back).Location() != time.UTC {
				t.Errorf("Scan(%v) = %v, %v; want %v in UTC", v, time.Time(back), err, tc.in)
			}
		})
	}
	t.Run("text order is time order", func(t *testing.T) {
		a, _ := dbTime(time.Date(2025, 1, 2, 3, 4, 5, 999999999, time.UTC)).Value()
		b, _ := dbTime(time.Date(2025, 1, 2, 3, 4, 6, 0, time.UTC)).Value()
		if a.(string) >= b.(string) {
			t.Errorf("%s sorts after %s", a, b)
		}
	})
	for _, bad := range []string{"yesterday", "2025-02-31T00:00:00.000000000Z", "2025-01-01T24:00:00.000000000Z"} {
		t.Run("a malformed timestamp is an error: "+bad, func(t *testing.T) {
			var d dbTime
			if err := d.Scan(bad); err == nil {
				t.Errorf("Scan(%q) = %v, want an error", bad, time.Time(d))
			}
		})
	}
}

func FuzzParseFixedTimeAgreesWithTimeParse(f *testing.F) {
	for _, s := range []string{"2025-01-02T03:04:05.000000006Z", "0001-01-01T00:00:00.000000000Z",
		"2025-02-31T00:00:00.000000000Z", "2025-13-01T00:00:00.000000000Z", "2025-01-01T24:00:00.000000000Z",
		"2024-02-29T23:59:59.999999999Z", "2025-01-02 03:04:05.000000006Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseFixedTime(s)
		want, err := time.Parse(timeLayout, s)
		if ok && (err != nil || !got.Equal(want) || got.Location() != time.UTC) {
			t.Fatalf("parseFixedTime(%q) = %v; time.Parse = %v, %v", s, got, want, err)
		}
		// Refusing is always safe (time.Parse gets it), but what we
		// write must take the fast path.
		if err == nil && formatTime(want) == s && !ok {
			t.Fatalf("parseFixedTime(%q) refused a formatTime result", s)
		}
	})
}
