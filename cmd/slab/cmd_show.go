package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/slab-storage/slab/cmd/slab/views"
	"github.com/slab-storage/slab/hcl/config"
	"github.com/slab-storage/slab/planner"
	"github.com/slab-storage/slab/providers"
	"github.com/slab-storage/slab/state"
)

func runShow(ctx context.Context, c *cli, args []string) int {
	fs := c.newFlags("show", "[PLANFILE]")
	c.stateFlag(fs)
	jsonOut := fs.Bool("json", false, "machine-readable output")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() == 1 {
		plan, err := planner.Load(c.path(fs.Arg(0)))
		if err != nil {
			return c.errorf("Cannot read the saved plan\n%v", err)
		}
		if *jsonOut {
			if err := views.WritePlanJSON(c.stdout, plan); err != nil {
				return c.errorf("%v", err)
			}
			return 0
		}
		views.WritePlan(c.stdout, plan)
		return 0
	}
	rec, _, code := c.readState(ctx, c.loadSettings)
	if rec == nil {
		return code
	}
	if *jsonOut {
		return c.writeJSON(views.StateJSON(rec))
	}
	views.WriteState(c.stdout, rec)
	return 0
}

// readState loads the config (for the store location and stack) and reads
// the recorded state without taking the lock: reads are consistent
// snapshots.
func (c *cli) readState(ctx context.Context, load func() (*config.Config, bool)) (*state.State, *config.Config, int) {
	cfg, ok := load()
	if !ok {
		return nil, nil, 1
	}
	store, err := c.openStore(cfg)
	if err != nil {
		return nil, nil, c.errorf("Cannot open the state store\n%v", err)
	}
	defer store.Close()
	rec, err := store.Read(ctx, stackName(cfg))
	if err != nil {
		return nil, nil, c.errorf("Cannot read the recorded state\n%v", err)
	}
	return rec, cfg, 0
}

func (c *cli) writeJSON(v any) int {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return c.errorf("%v", err)
	}
	return 0
}

func runOutput(ctx context.Context, c *cli, args []string) int {
	fs := c.newFlags("output", "[NAME]")
	c.stateFlag(fs)
	jsonOut := fs.Bool("json", false, "machine-readable output")
	var cf configFlags
	cf.register(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	rec, cfg, code := c.readState(ctx, func() (*config.Config, bool) { return c.loadConfig(cf) })
	if rec == nil {
		return code
	}
	return c.writeOutputs(cfg, rec, fs.Arg(0), *jsonOut)
}

// printOutputs prints every output after an apply.
func (c *cli) printOutputs(ctx context.Context, cfg *config.Config, st *stack, name string, jsonOut bool) int {
	if len(cfg.Outputs) == 0 {
		return 0
	}
	rec, err := st.store.Read(ctx, st.name)
	if err != nil {
		return c.errorf("Cannot read the recorded state\n%v", err)
	}
	fmt.Fprint(c.stdout, "\nOutputs:\n\n")
	return c.writeOutputs(cfg, rec, name, jsonOut)
}

// writeOutputs evaluates outputs against the recorded objects. Sensitive
// values are shown only when asked for by name.
func (c *cli) writeOutputs(cfg *config.Config, rec *state.State, name string, jsonOut bool) int {
	values, diags := cfg.EvalOutputs(knownValues(rec))
	if diags.HasErrors() {
		c.printDiags(diags, cfg)
		return 1
	}
	sensitive := map[string]bool{}
	for _, o := range cfg.Outputs {
		sensitive[o.Name] = o.Sensitive
	}
	if name != "" {
		v, ok := values[name]
		if !ok {
			return c.errorf("Output %q not found\nThe configuration declares no output block named %q.", name, name)
		}
		if jsonOut {
			raw, err := ctyjson.Marshal(v, v.Type())
			if err != nil {
				return c.errorf("%v", err)
			}
			fmt.Fprintln(c.stdout, string(raw))
			return 0
		}
		fmt.Fprintln(c.stdout, views.FormatValue(v))
		return 0
	}
	names := make([]string, 0, len(values))
	for n := range values {
		names = append(names, n)
	}
	sort.Strings(names)
	if jsonOut {
		out := map[string]any{}
		for _, n := range names {
			entry := map[string]any{"sensitive": sensitive[n]}
			if !sensitive[n] && values[n].IsWhollyKnown() {
				raw, err := ctyjson.Marshal(values[n], values[n].Type())
				if err != nil {
					return c.errorf("%v", err)
				}
				entry["value"] = json.RawMessage(raw)
			}
			out[n] = entry
		}
		return c.writeJSON(out)
	}
	for _, n := range names {
		text := views.FormatValue(values[n])
		if sensitive[n] {
			text = "<sensitive>"
		}
		fmt.Fprintf(c.stdout, "%s = %s\n", n, text)
	}
	return 0
}

// knownValues maps every recorded object's address to its attributes.
func knownValues(rec *state.State) map[string]map[string]cty.Value {
	lookup := rec.AddressIndex()
	out := map[string]map[string]cty.Value{}
	for _, o := range rec.Objects() {
		if o.ObjectKind() == state.KindPool {
			continue
		}
		kind, err := providers.KindOf(string(o.ObjectKind()))
		if err != nil {
			continue
		}
		vals := map[string]cty.Value{}
		for k, v := range kind.Attrs(o, lookup) {
			if cv, ok := toCty(v); ok {
				vals[k] = cv
			}
		}
		out[o.ObjectAddress()] = vals
	}
	return out
}

func toCty(v any) (cty.Value, bool) {
	switch x := v.(type) {
	case string:
		return cty.StringVal(x), true
	case int64:
		return cty.NumberIntVal(x), true
	case bool:
		return cty.BoolVal(x), true
	case map[string]string:
		m := map[string]cty.Value{}
		for k, e := range x {
			m[k] = cty.StringVal(e)
		}
		if len(m) == 0 {
			return cty.MapValEmpty(cty.String), true
		}
		return cty.MapVal(m), true
	}
	return cty.NilVal, false
}
