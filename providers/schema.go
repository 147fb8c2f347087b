package providers

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Attrs are one object's attributes as a plan shows and stores them: plain
// values (string, int64, bool, map[string]string) keyed by attribute name.
// A missing key and a nil value both mean "not set".
type Attrs map[string]any

// Type is an attribute's value type, used to normalise decoded plans.
type Type int

const (
	String Type = iota
	Int
	Bool
	StringMap
)

// UpdateRule says what a change of an attribute means for the object.
type UpdateRule int

const (
	// InPlace: the object is updated where it is.
	InPlace UpdateRule = iota
	// ForcesReplacement: the object must be destroyed and created again.
	ForcesReplacement
	// Computed: set by slab or the backend; never part of a diff.
	Computed
	// Grows: larger is an in-place update, smaller is refused (data loss)
	// unless replacement was asked for.
	Grows
	// CreateOnly: read only when the object is created. Changing it to
	// another value forces replacement; removing it changes nothing (a
	// volume made from a snapshot does not depend on it afterwards).
	CreateOnly
)

// Attribute describes one attribute of a kind.
type Attribute struct {
	Name string
	Type Type
	Rule UpdateRule
	// Sensitive values are never shown in plans, JSON or logs.
	Sensitive bool
	// DefaultedByBackend attributes take the backend's value when the
	// config leaves them unset (availability_zone), so unset is no change.
	DefaultedByBackend bool
}

// Schema describes a kind's attributes, in display order.
type Schema struct {
	Kind       string
	Attributes []Attribute
}

// Attribute returns the named attribute.
func (s *Schema) Attribute(name string) (Attribute, bool) {
	for _, a := range s.Attributes {
		if a.Name == name {
			return a, true
		}
	}
	return Attribute{}, false
}

// Normalize converts decoded JSON values (float64, json.Number,
// map[string]any) back to the schema's types, so that a plan read from a
// file compares equal to the plan that was written.
func (s *Schema) Normalize(a Attrs) (Attrs, error) {
	if a == nil {
		return nil, nil
	}
	out := make(Attrs, len(a))
	for k, v := range a {
		attr, ok := s.Attribute(k)
		if !ok {
			return nil, fmt.Errorf("%s has no attribute %q", s.Kind, k)
		}
		nv, err := normalizeValue(attr.Type, v)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", s.Kind, k, err)
		}
		out[k] = nv
	}
	return out, nil
}

func normalizeValue(t Type, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch t {
	case String:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case Bool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case Int:
		switch n := v.(type) {
		case int64:
			return n, nil
		case int:
			return int64(n), nil
		case float64:
			if n == math.Trunc(n) {
				return int64(n), nil
			}
		case json.Number:
			if i, err := n.Int64(); err == nil {
				return i, nil
			}
		}
	case StringMap:
		switch m := v.(type) {
		case map[string]string:
			return m, nil
		case map[string]any:
			out := make(map[string]string, len(m))
			for k, e := range m {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("map value %q is %T, want string", k, e)
				}
				out[k] = s
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("unexpected value %v (%T)", v, v)
}

// Diff is how desired attributes differ from recorded ones.
type Diff struct {
	// Changed lists the attributes whose values differ, in schema order.
	Changed []string
	// ForcesReplacement lists the changed attributes that force replacement.
	ForcesReplacement []string
	// Shrinks lists Grows attributes whose new value is smaller.
	Shrinks []string
}

// Empty reports whether nothing differs.
func (d Diff) Empty() bool { return len(d.Changed) == 0 }

// Compare diffs before (recorded) against after (desired). Computed
// attributes and those in ignore are left out.
func (s *Schema) Compare(before, after Attrs, ignore []string) Diff {
	var d Diff
	for _, attr := range s.Attributes {
		if attr.Rule == Computed || slices.Contains(ignore, attr.Name) {
			continue
		}
		b, a := before[attr.Name], after[attr.Name]
		if Equal(b, a) || (isEmpty(a) && (attr.DefaultedByBackend || attr.Rule == CreateOnly)) {
			continue
		}
		d.Changed = append(d.Changed, attr.Name)
		switch attr.Rule {
		case ForcesReplacement, CreateOnly:
			d.ForcesReplacement = append(d.ForcesReplacement, attr.Name)
		case Grows:
			bi, _ := b.(int64)
			ai, _ := a.(int64)
			if ai < bi {
				d.Shrinks = append(d.Shrinks, attr.Name)
			}
		}
	}
	return d
}

// Equal compares two attribute values; an empty map equals nil and an
// empty string equals nil, since neither is "set".
func Equal(a, b any) bool {
	if isEmpty(a) && isEmpty(b) {
		return true
	}
	return reflect.DeepEqual(a, b)
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case map[string]string:
		return len(x) == 0
	}
	return false
}

// SortedKeys returns a map's keys in order.
func SortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ChangeSummary says what an update changed, before → after, for the
// history. Sensitive attributes are named without their values.
func ChangeSummary(s *Schema, op Op) string {
	if len(op.Changed) == 0 {
		return "recorded"
	}
	parts := make([]string, 0, len(op.Changed))
	for _, name := range op.Changed {
		attr, _ := s.Attribute(name)
		if attr.Sensitive || slices.Contains(op.Sensitive, name) {
			parts = append(parts, name+" (sensitive)")
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %s → %s", name, summaryValue(op.Before[name]), summaryValue(op.After[name])))
	}
	return strings.Join(parts, "; ")
}

func summaryValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(x)
	case map[string]string:
		keys := SortedKeys(x)
		kv := make([]string, len(keys))
		for i, k := range keys {
			kv[i] = k + "=" + x[k]
		}
		return "{" + strings.Join(kv, ", ") + "}"
	}
	return fmt.Sprint(v)
}
