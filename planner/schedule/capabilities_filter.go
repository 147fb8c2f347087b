package schedule

import (
	"strconv"
	"strings"
)

// CapabilitiesFilter is Cinder's CapabilitiesFilter: the request's volume
// type extra specs, read with the operator grammar of MatchRequirement,
// must all be satisfied by the pool's capabilities.
//
//   - Keys split on ':'. A scoped key whose first part is not
//     "capabilities" (provisioning:type, RESKEY:availability_zones, vendor
//     keys) is not matched here. "capabilities:" is stripped and the rest
//     walks nested objects: capabilities:a:b:c. The bare key
//     "capabilities" names the whole capabilities object, as in Cinder.
//   - A key the pool does not report (or a walk through something that is
//     not an object) fails the pool.
//   - A list value passes when any element matches, in order; the first
//     element whose comparison raises in Cinder fails the pool with that
//     error as the reason.
//   - storage_protocol is matched against every spelling Cinder reports
//     for it (iSCSI and iscsi, ...), as Cinder's host manager replaces the
//     reported protocol by its variant list.
//   - For an extend (OldSizeGiB > 0), a pool reporting
//     online_extend_support = false fails. Cinder lets it pass when the
//     volume is detached; slab's Request carries no attach status yet, so
//     every extend is treated as possibly attached, which is the safe
//     reading (a detached volume on such a pool is refused, never an
//     attached one extended).
//
// Cinder stops at the first failing key in the type's own order, which a
// Go map does not have; slab evaluates every key (the verdict is the same)
// and reports the failing key that sorts first, so reasons are stable.
type CapabilitiesFilter struct{}

func (CapabilitiesFilter) Name() string { return "CapabilitiesFilter" }

func (CapabilitiesFilter) Filter(p *PoolState, req *Request) (bool, string) {
	// The common case, a type without extra specs, must cost nothing: the
	// filter runs for every request × pool.
	if len(req.ExtraSpecs) == 0 && req.OldSizeGiB <= 0 {
		return true, ""
	}
	if req.OldSizeGiB <= 0 {
		// A pool's verdict on a set of specs holds until its stats change,
		// and a plan asks it again for every volume of the same type.
		req.prepare()
		if v, ok := p.specVerdict(req.specs); ok {
			return v.ok, v.reason
		}
		ok, reason := matchAll(p.Capabilities(), req)
		p.rememberSpecVerdict(specVerdict{specs: req.specs, ok: ok, reason: reason})
		return ok, reason
	}
	caps := p.Capabilities()
	if req.OldSizeGiB > 0 {
		// Cinder: capabilities.get('online_extend_support', True) is False;
		// only the bool false counts, not a string "false".
		if v, ok := caps["online_extend_support"]; ok {
			if b, isBool := v.(bool); isBool && !b {
				return false, "online_extend_support is false: the pool cannot extend a volume while it is attached, and slab cannot yet tell that this one is detached"
			}
		}
	}
	return matchAll(caps, req)
}

// matchAll checks every extra spec against the capabilities.
func matchAll(caps map[string]any, req *Request) (bool, string) {
	var worst specResult // the failure of the key that sorts first
	for key, spec := range req.ExtraSpecs {
		if res := matchSpec(caps, key, spec); res.fail != 0 && (worst.fail == 0 || key < worst.key) {
			worst = res
		}
	}
	if worst.fail == 0 {
		return true, ""
	}
	return false, worst.reason()
}

// Ways a spec fails.
const (
	specNoMatch   = iota + 1 // neither the value nor any element matched, or matching raised
	specMissing              // the pool does not report the key
	specNotObject            // the walk met something that is not an object
	specProtocol             // no spelling of the pool's storage_protocol matched
)

// specResult is one spec's verdict, with what a reason needs. It holds
// only substrings and values already boxed, so computing it allocates
// nothing; the reason is formatted only for the failure reported.
type specResult struct {
	fail      int
	key, spec string
	at        string // the path up to the missing key, or to the non-object
	seg       string // the key looked up in a non-object
	value     any
	err       error
}

// matchSpec checks one extra spec against the capabilities.
func matchSpec(caps map[string]any, key, spec string) specResult {
	res := specResult{key: key, spec: spec}
	path, whole, scoped := specPath(key)
	if !scoped {
		return res
	}
	var cur any = caps
	if !whole {
		walked := 0 // bytes of path consumed, with their ':'
		for rest := path; ; {
			seg, next, more := strings.Cut(rest, ":")
			m, isMap := cur.(map[string]any)
			if !isMap { // Cinder's cap[key] raises TypeError: the pool fails
				res.fail, res.at, res.seg, res.value = specNotObject, path[:walked-1], seg, cur
				return res
			}
			v, found := m[seg]
			if !found {
				res.fail, res.at = specMissing, path[:walked+len(seg)]
				return res
			}
			cur = v
			walked += len(seg) + 1
			if !more {
				break
			}
			rest = next
		}
	}
	var literal specReq
	r := &literal
	if specIsLiteral(spec) {
		literal.raw = spec
	} else {
		r = compileRequirement(spec)
	}
	res.value = cur
	// Cinder's host manager reports a top-level storage_protocol as the
	// list of its spellings.
	if !whole && path == "storage_protocol" {
		if s, isStr := cur.(string); isStr {
			if group := boxedProtocolGroups[s]; group != nil {
				if ok, err := specMatchEach(r, group); ok {
					return res
				} else if err != nil {
					res.fail, res.err = specNoMatch, err
				} else {
					res.fail = specProtocol
				}
				return res
			}
		}
	}
	if ok, err := specMatchAny(r, cur); !ok {
		res.fail, res.err = specNoMatch, err
	}
	return res
}

// reason renders a failure, e.g. `capabilities:disk: requires "ssd", pool
// has "hdd"`. It runs for every rejected pool, so it avoids fmt.
func (r specResult) reason() string {
	var stack [256]byte // the usual reason fits: one allocation, for the string
	b := stack[:0]
	b = append(b, r.key...)
	b = append(b, ": requires "...)
	b = strconv.AppendQuote(b, r.spec)
	switch r.fail {
	case specMissing:
		b = append(b, ", pool does not report "...)
		b = strconv.AppendQuote(b, r.at)
	case specNotObject:
		b = append(b, ", pool has "...)
		b = append(b, r.at...)
		b = append(b, " = "...)
		b = specAppend(b, r.value)
		b = append(b, ", which has no "...)
		b = strconv.AppendQuote(b, r.seg)
	case specProtocol:
		b = append(b, ", pool has "...)
		b = specAppend(b, r.value)
		b = append(b, " (also spelled "...)
		sep := ""
		for _, g := range protocolGroup(r.value.(string)) {
			if g != r.value {
				b = append(b, sep...)
				b = strconv.AppendQuote(b, g)
				sep = ", "
			}
		}
		b = append(b, ')')
	default:
		b = append(b, ", pool has "...)
		b = specAppend(b, r.value)
		if r.err != nil {
			b = append(b, ": "...)
			b = append(b, r.err.Error()...)
		}
	}
	return string(b)
}

// specAppend is specRender without an allocation for plain values.
func specAppend(b []byte, v any) []byte {
	switch x := v.(type) {
	case string:
		return strconv.AppendQuote(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case nil:
		return append(b, "null"...)
	}
	return append(b, specRender(v)...)
}

// specMatchAny matches a value, or any element of a list value, in order; the
// first raising element stops the search, as the exception does in Cinder.
func specMatchAny(r *specReq, v any) (bool, error) {
	switch list := v.(type) {
	case []any:
		return specMatchEach(r, list)
	case []string:
		for _, e := range list {
			if ok, err := r.match(e); ok || err != nil {
				return ok, err
			}
		}
		return false, nil
	}
	return r.match(v)
}

func specMatchEach(r *specReq, list []any) (bool, error) {
	for _, e := range list {
		if ok, err := r.match(e); ok || err != nil {
			return ok, err
		}
	}
	return false, nil
}

// specPath reads an extra spec key: scoped=false for a key Cinder skips
// (first part other than "capabilities"), whole=true for the bare key
// "capabilities", else the ':'-separated path into the capabilities.
func specPath(key string) (path string, whole, scoped bool) {
	i := strings.IndexByte(key, ':')
	if i < 0 {
		if key == "capabilities" {
			return "", true, true
		}
		return key, false, true
	}
	if key[:i] != "capabilities" {
		return "", false, false
	}
	return key[i+1:], false, true
}

// boxedProtocolGroups maps every spelling to its variant list as []any,
// boxed once: boxing a string per comparison would allocate.
var boxedProtocolGroups = func() map[string][]any {
	m := map[string][]any{}
	for _, group := range protocolVariants {
		boxed := make([]any, len(group))
		for i, g := range group {
			boxed[i] = g
		}
		for _, g := range group {
			m[g] = boxed
		}
	}
	return m
}()
