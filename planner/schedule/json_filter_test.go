package schedule

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/slab-storage/slab/drivers"
)

// jsonPool is a pool with the given free and total capacity and custom
// capabilities.
func jsonPool(free, total float64, caps map[string]any) *PoolState {
	return capsPool(caps, func(p *PoolState) {
		p.Stats.FreeCapacityGB, p.Stats.TotalCapacityGB = drivers.GiB(free), drivers.GiB(total)
	})
}

func jqMustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestJsonFilter(t *testing.T) {
	capacityQuery := jqMustJSON([]any{"and", []any{">=", "$free_capacity_gb", 1024}, []any{">=", "$total_capacity_gb", 10 * 1024}})
	happyDay := jqMustJSON([]any{"and",
		"$capabilities.enabled",
		[]any{"=", "$capabilities.opt1", "match"},
		[]any{"or",
			[]any{"and", []any{"<", "$free_capacity_gb", 30}, []any{"<", "$total_capacity_gb", 300}},
			[]any{"and", []any{">", "$free_capacity_gb", 30}, []any{">", "$total_capacity_gb", 300}}}})
	enabled := map[string]any{"enabled": true, "opt1": "match"}
	tests := []struct {
		name   string
		pool   *PoolState
		query  any
		pass   bool
		reason string
	}{
		// Cinder's JsonFilter cases, with capacities for RAM and disk.
		{"a pool meeting both capacity bounds passes", jsonPool(1024, 10240, nil), capacityQuery, true, ""},
		{"no query passes", jsonPool(0, 0, nil), nil, true, ""},
		{"an empty query string passes", jsonPool(0, 0, nil), "", true, ""},
		{"one GiB too little free space fails", jsonPool(1023, 10240, nil), capacityQuery, false, "$free_capacity_gb = 1023"},
		{"one GiB too little total space fails", jsonPool(1024, 10239, nil), capacityQuery, false, "$total_capacity_gb = 10239"},
		{"a false capability fails an and", jsonPool(1024, 10240, map[string]any{"enabled": false}),
			jqMustJSON([]any{"and", []any{">=", "$free_capacity_gb", 1024}, "$capabilities.enabled"}), false, "$capabilities.enabled = false"},
		{"a slab pool's service is never disabled", jsonPool(1024, 10240, nil),
			jqMustJSON([]any{"and", []any{">=", "$free_capacity_gb", 1024}, []any{"not", "$service.disabled"}}), true, ""},
		{"the happy day passes small on both", jsonPool(10, 200, enabled), happyDay, true, ""},
		{"the happy day passes big on both", jsonPool(40, 400, enabled), happyDay, true, ""},
		{"the happy day fails a disabled pool", jsonPool(40, 400, map[string]any{"enabled": false, "opt1": "match"}), happyDay, false, ""},
		{"the happy day fails the exact bounds", jsonPool(30, 300, enabled), happyDay, false, ""},
		{"the happy day fails small free and big total", jsonPool(20, 400, enabled), happyDay, false, ""},
		{"the happy day fails another opt1", jsonPool(20, 400, map[string]any{"enabled": true, "opt1": "no-match"}), happyDay, false, ""},
		{"an unknown operator fails the pool", jsonPool(1, 1, nil), `["!=", 1, 2]`, false, `unknown operator "!="`},
		{"an empty list passes", jsonPool(1, 1, nil), `[]`, true, ""},
		{"an empty object passes", jsonPool(1, 1, nil), `{}`, true, ""},
		{"deeply nested operators without arguments fail", jsonPool(1, 1, nil), `[">", ["and", ["or", ["not", ["<", [">=", ["<=", ["in"]]]]]]]]`, false, "is false"},
		{"a comparison with one argument fails", jsonPool(1, 1, nil), `[">", 1]`, false, "is false"},
		{"an unknown variable made of dots is dropped", jsonPool(1, 1, nil), `["=", "$........", 1, 1]`, true, ""},
		{"an unknown variable is dropped", jsonPool(1, 1, nil), `["=", "$foo", 2, 2]`, true, ""},

		// Attributes.
		{"host is the pool's name", jsonPool(1, 1, nil), `["=", "$host", "b1#p1"]`, true, ""},
		{"pool_name is the pool part", jsonPool(1, 1, nil), `["=", "$pool_name", "p1"]`, true, ""},
		{"volume_backend_name defaults to the backend", jsonPool(1, 1, nil), `["=", "$volume_backend_name", "b1"]`, true, ""},
		{"an unreported vendor_name is dropped, leaving one argument", jsonPool(1, 1, nil), `["=", "$vendor_name", "x"]`, false, "$vendor_name is not known"},
		{"storage_protocol is Cinder's list of spellings, so it never equals one", jsonPool(1, 1, nil), `["=", "$storage_protocol", "iSCSI"]`, false, `$storage_protocol = ["iSCSI","iscsi"]`},
		{"in does not look inside the list of spellings", jsonPool(1, 1, nil), `["in", "iscsi", "$capabilities.storage_protocol"]`, false, ""},
		{"a protocol without spellings is a plain string", jsonPool(1, 1, map[string]any{"storage_protocol": "ceph"}), `["=", "$storage_protocol", "ceph"]`, true, ""},
		{"the capabilities object carries the spellings too", jsonPool(1, 1, nil), `["=", "$capabilities", "$capabilities"]`, true, ""},
		{"nested capabilities are walked with dots", jsonPool(1, 1, map[string]any{"net": map[string]any{"speed": int64(100)}}), `[">=", "$capabilities.net.speed", 40]`, true, ""},
		{"a missing capability is dropped", jsonPool(1, 1, nil), `["=", "$capabilities.nope", 1]`, false, "is not known"},
		{"walking into a number fails the pool", jsonPool(1, 1, nil), `["=", "$free_capacity_gb.x", 1]`, false, "free_capacity_gb is a number, not an object"},
		{"walking into the list of spellings fails the pool", jsonPool(1, 1, nil), `["=", "$storage_protocol.x", 1]`, false, "not an object"},
		{"the over-subscription ratio is the computed one", jsonPool(1, 1, nil), `["=", "$max_over_subscription_ratio", 20]`, true, ""},
		{"an unreported goodness function is 0", jsonPool(1, 1, nil), `["=", "$goodness_function", 0]`, true, ""},
		{"QoS_support defaults to false", jsonPool(1, 1, nil), `["=", "$QoS_support", false]`, true, ""},
		{"the service carries the zone", jsonPool(1, 1, nil), `["in", "az1", "$service.availability_zone", "az2"]`, true, ""},
		{"infinite free space is the word", func() *PoolState {
			p := jsonPool(1, 1, nil)
			p.Stats.FreeCapacityGB = drivers.Capacity{Infinite: true}
			return p
		}(), `["=", "$free_capacity_gb", "infinite"]`, true, ""},
		{"ordering the word infinite against a number fails the pool", func() *PoolState {
			p := jsonPool(1, 1, nil)
			p.Stats.FreeCapacityGB = drivers.Capacity{Infinite: true}
			return p
		}(), `["<", "$free_capacity_gb", 100]`, false, `cannot order "infinite" (a string) < 100 (a number)`},

		// Python semantics.
		{"a number against a string raises", jsonPool(500, 1000, nil), `[">=", "$free_capacity_gb", "500"]`, false, "Cinder raises TypeError"},
		{"a later comparison that raises still raises", jsonPool(1, 1, nil), `["<", 1, 0, "x"]`, false, "cannot order"},
		{"equality across types is simply false", jsonPool(1, 1, nil), `["=", 1, "1"]`, false, "is false"},
		{"a bool equals the int 1", jsonPool(1, 1, nil), `["=", "$thin_provisioning_support", 1]`, true, ""},
		{"an int equals the same float", jsonPool(1, 1, nil), `["=", 1, 1.0]`, true, ""},
		{"a big int and a float compare exactly", jsonPool(1, 1, nil), `[">", 9007199254740993, 9007199254740992.0]`, true, ""},
		{"an empty string argument is dropped", jsonPool(1, 1, nil), `["=", "", ""]`, false, "is false"},
		{"and of nothing is true", jsonPool(1, 1, nil), `["and"]`, true, ""},
		{"or of nothing is false", jsonPool(1, 1, nil), `["or"]`, false, "is false"},
		{"not of nothing is an empty list, which is false", jsonPool(1, 1, nil), `["not"]`, false, "is false"},
		{"an empty sub-expression is true", jsonPool(1, 1, nil), `["and", []]`, true, ""},
		{"not inside and is a non-empty list, which is true", jsonPool(1, 1, nil), `["and", ["not", true]]`, true, ""},
		{"lists from not compare element-wise", jsonPool(1, 1, nil), `["<", ["not", true], ["not", false]]`, true, ""},
		{"equal objects are equal", jsonPool(1, 1, nil), `["=", "$service", "$service"]`, true, ""},
		{"objects cannot be ordered", jsonPool(1, 1, nil), `["<=", "$service", "$service"]`, false, "cannot order"},
		{"a list literal is an expression, so a number there is no operator", jsonPool(1, 1, nil), `["=", [1, 2], [1, 2]]`, false, "unknown operator 1"},
		{"a string query is read character by character", jsonPool(1, 1, nil), `"<ab"`, true, ""},
		{"a string query with an unknown first character fails", jsonPool(1, 1, nil), `"abc"`, false, `unknown operator "a"`},
		{"a string query of one operator has no arguments", jsonPool(1, 1, nil), `"="`, false, "is false"},
		{"the query 0 is empty, so it passes", jsonPool(1, 1, nil), `0`, true, ""},
		{"the query null passes", jsonPool(1, 1, nil), `null`, true, ""},
		{"the query false passes", jsonPool(1, 1, nil), `false`, true, ""},
		{"the query 5 fails the pool", jsonPool(1, 1, nil), `5`, false, "is not an expression"},
		{"the query true fails the pool", jsonPool(1, 1, nil), `true`, false, "is not an expression"},
		{"a non-empty object fails the pool", jsonPool(1, 1, nil), `{"a": 1}`, false, "an object is not an expression"},
		{"a list as operator fails the pool", jsonPool(1, 1, nil), `[["=", 1, 1]]`, false, "unknown operator"},
		{"invalid JSON fails the pool", jsonPool(1, 1, nil), `["=", 1`, false, "is not valid JSON"},
		{"trailing data fails the pool", jsonPool(1, 1, nil), `["=", 1, 1] x`, false, "is not valid JSON"},
		{"a blank query is invalid JSON", jsonPool(1, 1, nil), `  `, false, "is not valid JSON"},
		{"an already decoded query works", jsonPool(600, 1000, nil), []any{">=", "$free_capacity_gb", int64(500)}, true, ""},
		{"an already decoded query is shown as JSON when false", jsonPool(400, 1000, nil), []any{">=", "$free_capacity_gb", int64(500)}, false, `query [">=","$free_capacity_gb",500] is false`},
		{"an empty decoded query passes", jsonPool(1, 1, nil), []any{}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, reason := JsonFilter{}.Filter(tt.pool, &Request{SizeGiB: 1, Hints: Hints{Query: tt.query}})
			if ok != tt.pass {
				t.Fatalf("pass = %v (reason %q), want %v", ok, reason, tt.pass)
			}
			if !strings.Contains(reason, tt.reason) {
				t.Fatalf("reason %q does not contain %q", reason, tt.reason)
			}
		})
	}
}

// TestJsonFilterKeepsReasonsShort checks that a huge query is cut in the
// reason every pool repeats.
func TestJsonFilterKeepsReasonsShort(t *testing.T) {
	query := `"` + strings.Repeat("a", 100000) + `"`
	ok, reason := JsonFilter{}.Filter(jsonPool(1, 1, nil), &Request{Hints: Hints{Query: query}})
	if ok || len(reason) > 400 || !strings.Contains(reason, `unknown operator "a"`) {
		t.Fatalf("Filter = %v, %d-byte reason %.100q", ok, len(reason), reason)
	}
}

// TestJsonFilterBasicOperators is Cinder's operator table.
func TestJsonFilterBasicOperators(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  bool
	}{
		{"one equals one", `["=", 1, 1]`, true},
		{"one does not equal two", `["=", 1, 2]`, false},
		{"one is less than two", `["<", 1, 2]`, true},
		{"one is not less than one", `["<", 1, 1]`, false},
		{"two is not less than one", `["<", 2, 1]`, false},
		{"two is greater than one", `[">", 2, 1]`, true},
		{"two is not greater than two", `[">", 2, 2]`, false},
		{"two is not greater than three", `[">", 2, 3]`, false},
		{"one is at most two", `["<=", 1, 2]`, true},
		{"one is at most one", `["<=", 1, 1]`, true},
		{"two is not at most one", `["<=", 2, 1]`, false},
		{"two is at least one", `[">=", 2, 1]`, true},
		{"two is at least two", `[">=", 2, 2]`, true},
		{"two is not at least three", `[">=", 2, 3]`, false},
		{"one is in one", `["in", 1, 1]`, true},
		{"one is in one two three", `["in", 1, 1, 2, 3]`, true},
		{"four is not in one two three", `["in", 4, 1, 2, 3]`, false},
		{"not true is false", `["not", true]`, false},
		{"not false is true", `["not", false]`, true},
		{"true or false is true", `["or", true, false]`, true},
		{"false or false is false", `["or", false, false]`, false},
		{"true and true is true", `["and", true, true]`, true},
		{"false and false is false", `["and", false, false]`, false},
		{"true and false is false", `["and", true, false]`, false},
		{"nested or and greater-than pass", `["and", ["or", true, false], [">", 2, 1]]`, true},
		{"not of several passes when any negation is true", `["not", true, false, true, false]`, true},
		{"not of all trues fails", `["not", true, true, true]`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ok, reason := (JsonFilter{}).Filter(jsonPool(1, 1, nil), &Request{Hints: Hints{Query: tt.query}}); ok != tt.want {
				t.Fatalf("%s = %v (%s), want %v", tt.query, ok, reason, tt.want)
			}
		})
	}
}

// FuzzJsonFilter asserts that no query, however malformed, panics, and
// that a rejection always carries a reason.
func FuzzJsonFilter(f *testing.F) {
	for _, s := range []string{`["and", [">=", "$free_capacity_gb", 1], ["not", "$service.disabled"]]`,
		`"<ab"`, `[["="]]`, `{"a": []}`, `["in", "$capabilities.net.speed", 1e400, -0, null]`,
		`["<", ["not", 1, [], {}], ["not", "$storage_protocol"]]`, `["=", "$capabilities.storage_protocol.x"]`, `0`, ``} {
		f.Add(s)
	}
	p := jsonPool(100, 1000, map[string]any{"net": map[string]any{"speed": int64(100)}, "list": []any{int64(1), "a", nil}})
	f.Fuzz(func(t *testing.T, query string) {
		ok, reason := JsonFilter{}.Filter(p, &Request{Hints: Hints{Query: query}})
		if !ok && reason == "" {
			t.Fatalf("query %q rejected without a reason", query)
		}
		var decoded any
		if json.Unmarshal([]byte(query), &decoded) == nil {
			JsonFilter{}.Filter(p, &Request{Hints: Hints{Query: decoded}})
		}
	})
}
