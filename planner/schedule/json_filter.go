package schedule

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// JsonFilter is Cinder's JsonFilter: the hint query is a JSON prefix
// expression such as ["and", [">=", "$free_capacity_gb", 500],
// ["in", "ssd", "$capabilities.disk", "nvme"]], evaluated per pool with
// Python's semantics, which this file reproduces:
//
//   - Operators = < > <= >= in not or and. A comparison holds when the
//     first argument compares true with every other one, and is false
//     with fewer than 2 arguments; "in" asks whether the first argument
//     equals any other. "not" returns a list of negations, and a list
//     result passes when any element is true. Arguments that are lists
//     are sub-expressions; an empty one is true.
//   - "$name" reads a pool attribute (Cinder's BackendState attributes),
//     "$name.key.key" walks objects. Unknown names, null values and empty
//     strings are dropped from the arguments.
//   - An empty or absent query passes. An unknown operator, ordering a
//     number against a string, or walking into something that is not an
//     object raises in Cinder; here the pool fails with the reason.
//
// Known differences: attributes are the data ones below (Cinder would
// also hand out methods and dunders); JSON's NaN/Infinity literals, which
// Python accepts, are rejected; integers beyond int64 become float64.
type JsonFilter struct{}

func (JsonFilter) Name() string { return "JsonFilter" }

func (JsonFilter) Filter(p *PoolState, req *Request) (bool, string) {
	raw := req.Hints.Query
	if !cpyTruthy(raw) { // Cinder: "if not query: return True", before parsing
		return true, ""
	}
	query := raw
	text, isText := raw.(string)
	if isText {
		var err error
		if query, err = jqDecode(text); err != nil {
			return false, fmt.Sprintf("query %s is not valid JSON: %v", jqShort(text), err)
		}
	} else if js, err := specJSON(raw); err == nil {
		text = js
	} else {
		text = fmt.Sprint(raw)
	}
	text = jqShort(text)
	ev := jqEval{pool: p}
	res, err := ev.process(query)
	if err != nil {
		return false, fmt.Sprintf("query %s: %v", text, err)
	}
	if list, ok := res.([]any); ok {
		res = false
		for _, e := range list {
			if cpyTruthy(e) {
				res = true
				break
			}
		}
	}
	if cpyTruthy(res) {
		return true, ""
	}
	return false, fmt.Sprintf("query %s is false for this pool%s", text, ev.explainVars(query))
}

// jqShort keeps a query readable in a reason that every pool repeats.
func jqShort(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

type jqDecoded struct {
	v   any
	err error
}

// jqCache holds decoded query texts: one query is evaluated against
// every pool, so it is decoded once.
var jqCache = specCache[jqDecoded]{max: 1024}

func jqDecode(text string) (any, error) {
	if d, ok := jqCache.get(text); ok {
		return d.v, d.err
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("extra data after the expression")
		}
	}
	if err == nil {
		v = jqNumbers(v)
	}
	jqCache.put(text, jqDecoded{v, err})
	return v, err
}

// jqNumbers turns json.Numbers into what Python's json module makes: int64
// for integer literals, float64 otherwise (overflow becomes ±Inf, as in
// Python).
func jqNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		s := string(x)
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return i
			}
		}
		f, _ := strconv.ParseFloat(s, 64)
		return f
	case []any:
		for i := range x {
			x[i] = jqNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = jqNumbers(x[k])
		}
	}
	return v
}

type jqEval struct {
	pool *PoolState
	caps map[string]any
}

// process is Cinder's _process_filter.
func (e *jqEval) process(q any) (any, error) {
	if !cpyTruthy(q) {
		return true, nil
	}
	var cmd any
	var args []any
	chars := ""
	switch x := q.(type) {
	case []any:
		cmd, args = x[0], x[1:]
	case string: // query[0] and query[1:] of a string are its characters
		r, size := utf8.DecodeRuneInString(x)
		cmd, chars = string(r), x[size:]
	case map[string]any:
		return nil, errors.New("an object is not an expression (Cinder raises KeyError)")
	default:
		return nil, fmt.Errorf("%s is not an expression (Cinder raises TypeError)", specRender(q))
	}
	op, isStr := cmd.(string)
	if !isStr || !jqOps[op] {
		return nil, fmt.Errorf("unknown operator %s (use one of = < > <= >= in not or and)", jqShort(specRender(cmd)))
	}
	for _, c := range chars { // after the operator check, which raises first
		args = append(args, string(c))
	}
	cooked := make([]any, 0, len(args))
	for _, arg := range args {
		switch a := arg.(type) {
		case []any:
			r, err := e.process(a)
			if err != nil {
				return nil, err
			}
			arg = r
		case string:
			v, err := e.variable(a)
			if err != nil {
				return nil, err
			}
			arg = v
		}
		if arg != nil {
			cooked = append(cooked, arg)
		}
	}
	switch op {
	case "not":
		out := make([]any, len(cooked))
		for i, a := range cooked {
			out[i] = !cpyTruthy(a)
		}
		return out, nil
	case "or":
		for _, a := range cooked {
			if cpyTruthy(a) {
				return true, nil
			}
		}
		return false, nil
	case "and":
		for _, a := range cooked {
			if !cpyTruthy(a) {
				return false, nil
			}
		}
		return true, nil
	}
	if len(cooked) < 2 {
		return false, nil
	}
	if op == "in" {
		for _, a := range cooked[1:] {
			if cpyEqual(cooked[0], a) {
				return true, nil
			}
		}
		return false, nil
	}
	// Cinder compares with every argument before deciding, so a later
	// comparison that raises still raises after an earlier false one.
	all := true
	for _, a := range cooked[1:] {
		var ok bool
		if op == "=" {
			ok = cpyEqual(cooked[0], a)
		} else {
			var err error
			if ok, err = cpyOrder(op, cooked[0], a); err != nil {
				return nil, err
			}
		}
		all = all && ok
	}
	return all, nil
}

var jqOps = map[string]bool{"=": true, "<": true, ">": true, "<=": true, ">=": true, "in": true, "not": true, "or": true, "and": true}

// variable is Cinder's _parse_string: "" is dropped, "$a.b" is looked up,
// anything else is a literal.
func (e *jqEval) variable(s string) (any, error) {
	if s == "" {
		return nil, nil
	}
	if s[0] != '$' {
		return s, nil
	}
	name, rest, more := strings.Cut(s[1:], ".")
	obj := e.attr(name, more)
	walked := 1 + len(name) // s[1:walked] is the path read so far
	for more && obj != nil {
		var key string
		key, rest, more = strings.Cut(rest, ".")
		m, isMap := obj.(map[string]any)
		if !isMap { // obj.get on a non-dict: AttributeError in Cinder
			return nil, fmt.Errorf("%s: %s is %s, not an object", s, s[1:walked], specKind(obj))
		}
		obj = m[key]
		if name == "capabilities" && walked == 1+len(name) && key == "storage_protocol" {
			obj = jqProtocol(obj)
		}
		walked += 1 + len(key)
	}
	return obj, nil
}

// attr is a BackendState attribute of the pool. rawCaps skips copying the
// capabilities to swap in the storage_protocol variants when the caller
// walks into them (and swaps storage_protocol itself).
func (e *jqEval) attr(name string, rawCaps bool) any {
	p, st := e.pool, &e.pool.Stats
	if e.caps == nil {
		e.caps = p.Capabilities()
	}
	switch name {
	case "host", "backend_id":
		return p.Name
	case "pool_name":
		if st.PoolName != "" {
			return st.PoolName
		}
		_, pool, _ := strings.Cut(p.Name, "#")
		return pool
	case "volume_backend_name", "vendor_name", "driver_version":
		return e.caps[name]
	case "storage_protocol":
		return jqProtocol(e.caps["storage_protocol"])
	case "QoS_support":
		if v, ok := e.caps["QoS_support"]; ok {
			return v
		}
		return false
	case "total_capacity_gb":
		return jqCapacity(st.TotalCapacityGB.Finite(), st.TotalCapacityGB.GiB, st.TotalCapacityGB.String())
	case "free_capacity_gb":
		return jqCapacity(st.FreeCapacityGB.Finite(), st.FreeCapacityGB.GiB, st.FreeCapacityGB.String())
	case "allocated_capacity_gb":
		return st.AllocatedCapacityGB
	case "provisioned_capacity_gb":
		return st.ProvisionedCapacityGB
	case "reserved_percentage":
		return int64(st.ReservedPercentage)
	case "max_over_subscription_ratio":
		return OverSubscriptionRatio(*st) // the computed ratio, as BackendState holds
	case "thin_provisioning_support":
		return st.ThinProvisioningSupport
	case "thick_provisioning_support":
		return st.ThickProvisioningSupport
	case "multiattach":
		return st.Multiattach
	case "filter_function":
		if st.FilterFunction == "" {
			return nil
		}
		return st.FilterFunction
	case "goodness_function":
		if st.GoodnessFunction == "" {
			return int64(0) // Cinder's default when none is reported
		}
		return st.GoodnessFunction
	case "capabilities":
		if rawCaps {
			return e.caps
		}
		if sp, ok := e.caps["storage_protocol"].(string); ok && protocolGroup(sp) != nil {
			c := make(map[string]any, len(e.caps))
			for k, v := range e.caps {
				c[k] = v
			}
			c["storage_protocol"] = jqProtocol(sp)
			return c
		}
		return e.caps
	case "service":
		return map[string]any{"availability_zone": p.AvailabilityZone, "host": p.Backend, "disabled": false, "frozen": false}
	case "pools":
		return map[string]any{} // a pool has no pools
	}
	return nil
}

func jqCapacity(finite bool, cinderGiB float64, word string) any {
	if finite {
		return cinderGiB
	}
	return word // "infinite" or "unknown", as drivers report them
}

// jqProtocol is a storage_protocol as Cinder's host manager stores it:
// the list of spellings when the protocol has variants.
func jqProtocol(v any) any {
	if s, ok := v.(string); ok {
		if group := boxedProtocolGroups[s]; group != nil {
			return group // shared: the evaluator never modifies values
		}
	}
	return v
}

// explainVars lists the values of the query's variables for a reason.
func (e *jqEval) explainVars(q any) string {
	var b strings.Builder
	seen := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		list, ok := v.([]any)
		if !ok || len(list) == 0 {
			return
		}
		for _, a := range list[1:] {
			if s, isStr := a.(string); isStr && strings.HasPrefix(s, "$") && !seen[s] && len(seen) < 8 {
				seen[s] = true
				val, err := e.variable(s)
				sep := ", "
				if b.Len() == 0 {
					sep = " ("
				}
				switch {
				case err != nil:
					fmt.Fprintf(&b, "%s%s: %v", sep, s, err)
				case val == nil:
					fmt.Fprintf(&b, "%s%s is not known, so it was dropped", sep, s)
				default:
					fmt.Fprintf(&b, "%s%s = %s", sep, s, specRender(val))
				}
			}
			walk(a)
		}
	}
	walk(q)
	if b.Len() > 0 {
		b.WriteString(")")
	}
	return b.String()
}
