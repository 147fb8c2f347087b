package views

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/slab-storage/slab/planner"
	"github.com/slab-storage/slab/providers"
)

// symbols are Terraform's plan symbols, padded to line up.
var symbols = map[planner.Action]string{
	planner.Create:           "  +",
	planner.Update:           "  ~",
	planner.Delete:           "  -",
	planner.Replace:          "-/+",
	planner.CreateThenDelete: "+/-",
}

// WritePlan renders a plan for people, in Terraform's style.
func WritePlan(w io.Writer, p *planner.Plan) {
	if len(p.Drift) > 0 {
		writeDrift(w, p)
	}
	if len(p.Unmanaged) > 0 {
		writeUnmanaged(w, p.Unmanaged)
	}
	if p.RefreshOnly {
		if len(p.Drift) == 0 {
			fmt.Fprintln(w, "\nNo changes. The recorded state matches what the pools hold.")
			return
		}
		fmt.Fprintln(w, "\nThis is a refresh-only plan: applying it records the changes above and changes nothing on the pools.")
		return
	}
	if !p.HasChanges() {
		fmt.Fprintln(w, "\nNo changes. The pools match the configuration.")
		fmt.Fprintln(w, "\nslab has compared the configuration with the recorded state and what the pools hold, and found no differences, so no changes are needed.")
		return
	}
	fmt.Fprintln(w, "\nslab will perform the following actions:")
	for _, c := range p.Changes {
		if c.Action == planner.NoOp && c.Import == nil {
			continue
		}
		fmt.Fprintln(w)
		writeChange(w, c)
	}
	s := p.Summary()
	imports := ""
	if s.Import > 0 {
		imports = fmt.Sprintf("%d to import, ", s.Import)
	}
	fmt.Fprintf(w, "\nPlan: %s%d to add, %d to change, %d to destroy.\n", imports, s.Add, s.Change, s.Destroy)
	if lost := p.DataLoss(); len(lost) > 0 {
		fmt.Fprintf(w, "\nWarning: this plan destroys the data of %d object%s: %s\n", len(lost), plural(len(lost)), strings.Join(lost, ", "))
	}
}

func writeDrift(w io.Writer, p *planner.Plan) {
	fmt.Fprintln(w, "\nNote: Objects have changed outside of slab")
	fmt.Fprintln(w, "\nslab detected the following changes made outside of slab since the last \"slab apply\":")
	for _, d := range p.Drift {
		schema := schemaOf(d.Kind)
		fmt.Fprintln(w)
		if d.Action == planner.Delete {
			fmt.Fprintf(w, "  # %s has been deleted (%s)\n", d.Address, d.Detail)
			fmt.Fprintf(w, "  - %s %q {\n", d.Kind, d.Name)
			writeAttrs(w, schema, d.Before, nil, nil, nil, d.Sensitive, planner.Delete)
		} else {
			fmt.Fprintf(w, "  # %s has changed (%s)\n", d.Address, d.Detail)
			fmt.Fprintf(w, "  ~ %s %q {\n", d.Kind, d.Name)
			writeAttrs(w, schema, d.Before, d.After, nil, nil, d.Sensitive, planner.Update)
		}
		fmt.Fprintln(w, "    }")
	}
	fmt.Fprintln(w, "\nUnless you have made equivalent changes to your configuration, the actions below undo or respond to these changes.")
}

// writeUnmanaged names what the pools hold that no stack records.
func writeUnmanaged(w io.Writer, objs []planner.Unmanaged) {
	fmt.Fprintln(w, "\nNote: Objects on the pools that no stack manages")
	fmt.Fprintln(w, "\nslab found these on the declared pools and will never delete them. To manage one, declare its block and import it:")
	fmt.Fprintln(w, "slab import ADDRESS ID, or an import { to = ADDRESS, id = \"ID\" } block.")
	fmt.Fprintln(w)
	for _, o := range objs {
		what := o.Kind
		switch o.Kind {
		case "file":
			what = "file to adopt"
		case "snapshot":
			what = "snapshot of volume " + o.VolumeID
		}
		fmt.Fprintf(w, "  %s: %s, %d GiB, id %s\n", o.Pool, what, o.SizeGiB, o.ID)
	}
}

func writeChange(w io.Writer, c *planner.Change) {
	head := headline(c)
	if c.DestroysData {
		first, rest, _ := strings.Cut(head, "\n")
		head = first + " (destroys data)"
		if rest != "" {
			head += "\n" + rest
		}
	}
	fmt.Fprintf(w, "  # %s %s\n", c.Address, head)
	if c.Import != nil {
		from := "id " + strconv.Quote(c.Import.ID) + " on " + c.Import.Pool
		if c.Import.Ref != "" {
			from = "file " + strconv.Quote(c.Import.Ref) + " of " + c.Import.Pool + ", which becomes volume " + c.Import.ID
		}
		fmt.Fprintf(w, "  # (imported from %s)\n", from)
	}
	if c.Detail != "" && c.Action != planner.Replace && c.Action != planner.CreateThenDelete {
		fmt.Fprintf(w, "  # (%s)\n", c.Detail)
	}
	if p := c.Placement; p != nil {
		fmt.Fprintf(w, "  # placement: %s\n", placementLine(p))
	}
	sym := symbols[c.Action]
	if c.Import != nil && c.Action == planner.NoOp {
		sym = "   "
	}
	fmt.Fprintf(w, "%s %s %q {\n", sym, c.Kind, c.Name)
	var before, after map[string]any
	if c.Action != planner.Create {
		before = c.Before
	}
	if c.Action != planner.Delete {
		after = c.After
	}
	writeAttrs(w, schemaOf(c.Kind), before, after, c.AfterUnknown, c.ReplacePaths, c.Sensitive, c.Action)
	fmt.Fprintln(w, "    }")
}

func headline(c *planner.Change) string {
	if c.Import != nil && c.Action == planner.NoOp {
		return "will be imported"
	}
	switch c.Action {
	case planner.Create:
		return "will be created"
	case planner.Update:
		return "will be updated in-place"
	case planner.Delete:
		switch c.Reason {
		case planner.ReasonNoResourceConfig:
			return "will be destroyed\n  # (because " + c.Address + " is not in the configuration" + deposed(c) + ")"
		case planner.ReasonEachKey:
			return "will be destroyed\n  # (because its key is not in the block's for_each map)"
		case planner.ReasonCountIndex:
			return "will be destroyed\n  # (because its index is not in the block's count)"
		}
		return "will be destroyed"
	case planner.Replace, planner.CreateThenDelete:
		switch c.Reason {
		case planner.ReasonTainted:
			return "is tainted, so must be replaced\n  # (" + c.Detail + ")"
		case planner.ReasonRequested:
			return "will be replaced, as requested"
		case planner.ReasonReplaceByTriggers:
			return "will be replaced due to changes in replace_triggered_by\n  # (" + c.Detail + ")"
		case planner.ReasonDependencyReplaced:
			return "must be replaced\n  # (because " + c.Detail + ")"
		}
		return "must be replaced"
	}
	return string(c.Action)
}

func deposed(c *planner.Change) string {
	if c.Detail == "" {
		return ""
	}
	return "; " + c.Detail
}

func placementLine(p *planner.Placement) string {
	if p.Why != "" {
		return p.Pool + " (" + p.Why + ")"
	}
	if p.Secret {
		return p.Pool + " (chosen by the scheduler; the explanation is hidden because the request uses sensitive values)"
	}
	if p.Explanation == nil {
		return p.Pool
	}
	e := p.Explanation
	passed := len(e.Weighed)
	total := passed + len(e.Rejected)
	line := fmt.Sprintf("%s (best of %d/%d pools that passed the filters", p.Pool, passed, total)
	if ranked := e.Ranked(); len(ranked) > 1 {
		line += fmt.Sprintf(", weight %s", strconv.FormatFloat(ranked[0].Total, 'f', -1, 64))
	}
	return line + ")"
}

// writeAttrs prints one object's attributes, aligned, with per-line
// symbols: created (+), changed (~), removed (-) or unchanged.
func writeAttrs(w io.Writer, schema *providers.Schema, before, after map[string]any, unknown, forcing, sensitive []string, action planner.Action) {
	type line struct{ sym, name, value, note string }
	var lines []line
	unchanged := 0
	for _, a := range schema.Attributes {
		b, inBefore := before[a.Name]
		v, inAfter := after[a.Name]
		isUnknown := slices.Contains(unknown, a.Name)
		inBefore, inAfter = inBefore && b != nil, (inAfter && v != nil) || isUnknown
		if !inBefore && !inAfter {
			continue
		}
		secret := a.Sensitive || slices.Contains(sensitive, a.Name)
		note := ""
		if slices.Contains(forcing, a.Name) {
			note = " # forces replacement"
		}
		switch {
		case action == planner.Create || (!inBefore && inAfter):
			lines = append(lines, line{"+", a.Name, afterText(v, isUnknown, secret), note})
		case action == planner.Delete || (inBefore && !inAfter):
			lines = append(lines, line{"-", a.Name, valueText(b, secret) + " -> null", note})
		case isUnknown || !providers.Equal(b, v):
			lines = append(lines, line{"~", a.Name, valueText(b, secret) + " -> " + afterText(v, isUnknown, secret), note})
		case a.Name == "id":
			lines = append(lines, line{" ", a.Name, valueText(b, secret), ""})
		default:
			unchanged++
		}
	}
	width := 0
	for _, l := range lines {
		width = max(width, len(l.name))
	}
	for _, l := range lines {
		fmt.Fprintf(w, "      %s %-*s = %s%s\n", l.sym, width, l.name, l.value, l.note)
	}
	if unchanged > 0 && action != planner.Create && action != planner.Delete {
		fmt.Fprintf(w, "        # (%d unchanged attribute%s hidden)\n", unchanged, plural(unchanged))
	}
}

func afterText(v any, unknown, sensitive bool) string {
	if unknown {
		return "(known after apply)"
	}
	return valueText(v, sensitive)
}

// valueText renders a plan value as HCL would write it.
func valueText(v any, sensitive bool) string {
	if sensitive {
		return "(sensitive value)"
	}
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case map[string]string:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = strconv.Quote(k) + " = " + strconv.Quote(x[k])
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	}
	return fmt.Sprint(v)
}

func schemaOf(kind string) *providers.Schema {
	k, err := providers.KindOf(kind)
	if err != nil {
		return &providers.Schema{Kind: kind}
	}
	return k.Schema()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
