package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// bodySchema lists what a block body may hold. Checking bodies ourselves,
// rather than with hcl.BodySchema, lets every message name the block and
// say how to fix it.
type bodySchema struct {
	what     string   // "a volume block", for messages
	attrs    []string // allowed arguments, in documentation order
	required []string
	blocks   []nestedSchema

	// Lookups built once from the lists above.
	once    sync.Once
	allowed map[string]bool
	nested  map[string]nestedSchema
}

func (s *bodySchema) index() {
	s.once.Do(func() {
		s.allowed = make(map[string]bool, len(s.attrs))
		for _, a := range s.attrs {
			s.allowed[a] = true
		}
		s.nested = make(map[string]nestedSchema, len(s.blocks))
		for _, b := range s.blocks {
			s.nested[b.typ] = b
		}
	})
}

type nestedSchema struct {
	typ    string
	labels int  // 0 or 1
	unique bool // at most one
}

var (
	schemaSlab = &bodySchema{
		what:   "the slab block",
		attrs:  []string{"stack", "state"},
		blocks: []nestedSchema{{typ: "scheduler", unique: true}, {typ: "quota", unique: true}},
	}
	schemaScheduler = &bodySchema{what: "a scheduler block", attrs: []string{"filters", "weighers"}}

	schemaVariable = &bodySchema{
		what:   "a variable block",
		attrs:  []string{"default", "type", "description", "sensitive"},
		blocks: []nestedSchema{{typ: "validation"}},
	}
	schemaValidation = &bodySchema{
		what:     "a validation block",
		attrs:    []string{"condition", "error_message"},
		required: []string{"condition", "error_message"},
	}
	schemaOutput = &bodySchema{
		what:     "an output block",
		attrs:    []string{"value", "description", "sensitive"},
		required: []string{"value"},
	}
	schemaBackend = &bodySchema{
		what:     "a backend block",
		attrs:    []string{"driver", "availability_zone", "options"},
		required: []string{"driver"},
		blocks:   []nestedSchema{{typ: "pool", labels: 1}},
	}
	schemaPool = &bodySchema{
		what:     "a pool block",
		attrs:    []string{"path", "max_over_subscription_ratio", "reserved_percentage", "capabilities"},
		required: []string{"path"},
	}
	schemaQoS = &bodySchema{
		what:  "a qos block",
		attrs: []string{"count", "for_each", "consumer", "specs"},
	}
	schemaVolumeType = &bodySchema{
		what:   "a volume_type block",
		attrs:  []string{"count", "for_each", "description", "extra_specs", "qos"},
		blocks: []nestedSchema{{typ: "quota", unique: true}},
	}
	schemaVolume = &bodySchema{
		what: "a volume block",
		attrs: []string{"count", "for_each", "size", "type", "availability_zone", "description",
			"metadata", "source", "revert_to", "scheduler_hints", "depends_on"},
		required: []string{"size"},
		blocks:   []nestedSchema{{typ: "lifecycle", unique: true}},
	}
	schemaSnapshot = &bodySchema{
		what:     "a snapshot block",
		attrs:    []string{"count", "for_each", "volume", "description", "metadata", "depends_on"},
		required: []string{"volume"},
		blocks:   []nestedSchema{{typ: "lifecycle", unique: true}},
	}
	schemaBackupRepository = &bodySchema{
		what:     "a backup_repository block",
		attrs:    []string{"driver", "path", "compression", "chunk_size"},
		required: []string{"driver", "path"},
	}
	schemaBackup = &bodySchema{
		what:     "a backup block",
		attrs:    []string{"count", "for_each", "volume", "repository", "incremental", "description", "depends_on"},
		required: []string{"volume", "repository"},
	}
	schemaBackupPolicy = &bodySchema{
		what:     "a backup_policy block",
		attrs:    []string{"volumes", "repository", "every", "keep", "incremental", "depends_on"},
		required: []string{"volumes", "repository", "every", "keep"},
	}
	schemaLifecycle = &bodySchema{
		what:  "a lifecycle block",
		attrs: []string{"prevent_destroy", "create_before_destroy", "ignore_changes", "replace_triggered_by"},
	}

	resourceSchemas = map[string]*bodySchema{
		"backend":     schemaBackend,
		"qos":         schemaQoS,
		"volume_type": schemaVolumeType,
		"volume":      schemaVolume,
		"snapshot":    schemaSnapshot,

		"backup_repository": schemaBackupRepository,
		"backup":            schemaBackup,
		"backup_policy":     schemaBackupPolicy,
	}

	// ignorableAttrs are the names lifecycle.ignore_changes accepts per kind.
	ignorableAttrs = map[string][]string{
		"volume":   {"size", "type", "availability_zone", "description", "metadata", "source", "scheduler_hints"},
		"snapshot": {"volume", "description", "metadata"},
	}
)

// topLevelBlocks is every block type a file may hold, for suggestions.
var topLevelBlocks = []string{"slab", "variable", "locals", "output", "backend", "qos", "volume_type", "volume", "snapshot", "import",
	"backup_repository", "backup", "backup_policy"}

// laterBlocks are block types of the product that this package does not
// support yet; they get a clearer message than a typo would.
var laterBlocks = map[string]bool{
	"attachment": true,
}

var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

const nameRule = `Names must start with a lowercase letter or a digit and contain only lowercase letters, digits, "_" and "-" (the rule is [a-z0-9][a-z0-9_-]*).`

// checkName reports an invalid block label or stack name.
func (l *loader) checkName(name, what string, rng hcl.Range) bool {
	if namePattern.MatchString(name) {
		return true
	}
	l.diags = append(l.diags, newDiag(rng, "Invalid name",
		fmt.Sprintf("%q is not a valid %s name. %s", name, what, nameRule)))
	return false
}

// sortedAttrs returns a body's attributes in source order, so that
// diagnostics come out in a stable order.
func sortedAttrs(body *hclsyntax.Body) []*hclsyntax.Attribute {
	out := make([]*hclsyntax.Attribute, 0, len(body.Attributes))
	for _, a := range body.Attributes {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SrcRange.Start.Byte < out[j].SrcRange.Start.Byte })
	return out
}

// checkBody validates a body's arguments and nested block types against s;
// def is the block header, where missing arguments are reported. It returns
// false if anything was wrong.
func (l *loader) checkBody(body *hclsyntax.Body, s *bodySchema, def hcl.Range) bool {
	n := len(l.diags)
	s.index()
	allowed, nested := s.allowed, s.nested
	var misspelt map[string]bool // required names an unknown argument resembles
	attrs := slices.Collect(maps.Values(body.Attributes))
	if !allKnown(attrs, allowed) {
		attrs = sortedAttrs(body) // only then does the order of messages matter
	}
	for _, a := range attrs {
		if allowed[a.Name] {
			continue
		}
		if sug := closest(a.Name, s.required); sug != "" {
			if misspelt == nil {
				misspelt = map[string]bool{}
			}
			misspelt[sug] = true
		}
		detail := fmt.Sprintf("An argument named %q is not expected in %s.", a.Name, s.what)
		switch {
		case s == schemaBackend && (a.Name == "count" || a.Name == "for_each"):
			detail += " A backend is one driver configuration, so it cannot be repeated with count or for_each; declare one backend block per backend."
		case nested[a.Name].typ != "":
			detail += fmt.Sprintf(" %q is a block here: write %s { ... } without the equals sign.", a.Name, a.Name)
		default:
			detail += didYouMean(a.Name, s.attrs) + " " + validList("arguments", s.attrs)
		}
		l.diags = append(l.diags, newDiag(a.NameRange, "Unsupported argument", detail))
	}
	for _, req := range s.required {
		// A misspelling was already reported, with the right name.
		if _, ok := body.Attributes[req]; !ok && !misspelt[req] {
			l.diags = append(l.diags, newDiag(def, "Missing required argument",
				fmt.Sprintf("The argument %q is required in %s, but it was not set. Add %s = ... inside the block.", req, s.what, req)))
		}
	}
	if c, f := body.Attributes["count"], body.Attributes["for_each"]; c != nil && f != nil && allowed["count"] {
		l.diags = append(l.diags, newDiag(f.NameRange, `Invalid combination of "count" and "for_each"`,
			`The "count" and "for_each" arguments are mutually exclusive: a block is repeated either by number or by key. Remove one of them.`))
	}
	var seen map[string]hcl.Range
	for _, b := range body.Blocks {
		ns, ok := nested[b.Type]
		if !ok {
			detail := fmt.Sprintf("Blocks of type %q are not expected in %s.", b.Type, s.what)
			if allowed[b.Type] {
				detail += fmt.Sprintf(" %q is an argument here: write %s = { ... } with an equals sign.", b.Type, b.Type)
			} else {
				names := make([]string, len(s.blocks))
				for i, nb := range s.blocks {
					names[i] = nb.typ
				}
				detail += didYouMean(b.Type, names) + " " + validList("block types", names)
			}
			l.diags = append(l.diags, newDiag(b.TypeRange, "Unsupported block type", detail))
			continue
		}
		if ns.unique {
			if first, dup := seen[b.Type]; dup {
				l.diags = append(l.diags, newDiag(b.TypeRange, fmt.Sprintf("Duplicate %s block", b.Type),
					fmt.Sprintf("Only one %s block is allowed in %s; the first is at %s. Merge them into one.", b.Type, s.what, pos(first))))
				continue
			}
			if seen == nil {
				seen = map[string]hcl.Range{}
			}
			seen[b.Type] = b.TypeRange
		}
		l.checkLabels(b, ns.labels)
	}
	return len(l.diags) == n
}

func allKnown(attrs []*hclsyntax.Attribute, allowed map[string]bool) bool {
	for _, a := range attrs {
		if !allowed[a.Name] {
			return false
		}
	}
	return true
}

// checkLabels reports a block with the wrong number of labels.
func (l *loader) checkLabels(b *hclsyntax.Block, want int) bool {
	switch {
	case len(b.Labels) < want:
		l.diags = append(l.diags, newDiag(b.TypeRange, fmt.Sprintf("Missing name for %s block", b.Type),
			fmt.Sprintf("A %s block needs a name, for example %s \"main\" { ... }.", b.Type, b.Type)))
		return false
	case len(b.Labels) > want:
		what := "no name"
		if want == 1 {
			what = "exactly one name"
		}
		l.diags = append(l.diags, newDiag(b.LabelRanges[want], fmt.Sprintf("Extra label on %s block", b.Type),
			fmt.Sprintf("A %s block takes %s. Remove the extra label.", b.Type, what)))
		return false
	}
	return true
}

func validList(what string, names []string) string {
	if len(names) == 0 {
		return fmt.Sprintf("No %s are allowed here.", what)
	}
	return fmt.Sprintf("Valid %s are %s.", what, quotedList(names))
}
