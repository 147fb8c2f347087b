package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/slab-storage/slab/cmd/slab/views"
)

// stateCommands are the `slab state` subcommands.
var stateCommands = map[string]command{
	"list":    {"List recorded addresses (optionally matching patterns)", runStateList},
	"show":    {"Show one recorded object", runStateShow},
	"history": {"Show the stack's history, or one address's", runStateHistory},
	"rm":      {"Forget objects without touching the pools", runStateRm},
	"mv":      {"Give a recorded object another address", runStateMv},
	"migrate": {"Copy stacks to another state store (SQLite or PostgreSQL) and verify the copy", runStateMigrate},
}

func runState(ctx context.Context, c *cli, args []string) int {
	return c.runSubcommand(ctx, "state", stateCommands, args)
}

// runSubcommand runs `slab GROUP SUB ...`, or lists the group's
// subcommands when SUB is missing or unknown.
func (c *cli) runSubcommand(ctx context.Context, group string, subs map[string]command, args []string) int {
	if len(args) > 0 {
		if sub, ok := subs[args[0]]; ok {
			return sub.run(ctx, c, args[1:])
		}
	}
	names := make([]string, 0, len(subs))
	width := 0
	for n := range subs {
		names = append(names, n)
		width = max(width, len(n))
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "\n  slab %s %-*s %s", group, width+1, n, subs[n].synopsis)
	}
	if len(args) == 0 {
		return c.errorf("slab %s needs a subcommand%s", group, b.String())
	}
	return c.errorf("unknown %s subcommand %q%s", group, args[0], b.String())
}

func runStateList(ctx context.Context, c *cli, args []string) int {
	fs := c.newFlags("state list", "[PATTERN...]")
	c.stateFlag(fs)
	jsonOut := fs.Bool("json", false, "machine-readable output")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	rec, _, code := c.readState(ctx, c.loadSettings)
	if rec == nil {
		return code
	}
	addrs := views.StateAddresses(rec, fs.Args())
	if *jsonOut {
		return c.writeJSON(addrs)
	}
	for _, a := range addrs {
		fmt.Fprintln(c.stdout, a)
	}
	return 0
}

func runStateShow(ctx context.Context, c *cli, args []string) int {
	fs := c.newFlags("state show", "ADDRESS")
	c.stateFlag(fs)
	jsonOut := fs.Bool("json", false, "machine-readable output")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return c.errorf("slab state show needs exactly one address, e.g. slab state show 'volume.db[\"a\"]'")
	}
	rec, _, code := c.readState(ctx, c.loadSettings)
	if rec == nil {
		return code
	}
	res, ok := views.StateResource(rec, fs.Arg(0))
	if !ok {
		return c.errorf("No object at %s in stack %q\nRun slab state list to see the recorded addresses.", fs.Arg(0), rec.Stack.Name)
	}
	if *jsonOut {
		return c.writeJSON(res)
	}
	views.WriteResource(c.stdout, res)
	return 0
}

func runStateHistory(ctx context.Context, c *cli, args []string) int {
	fs := c.newFlags("state history", "[ADDRESS]")
	c.stateFlag(fs)
	jsonOut := fs.Bool("json", false, "machine-readable output")
	last := fs.Int("n", 0, "show only the last N events")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return 1
	}
	cfg, store, code := c.settingsStore()
	if store == nil {
		return code
	}
	defer store.Close()
	events, err := store.History(ctx, stackName(cfg), 0)
	if err != nil {
		return c.errorf("Cannot read the history of stack %q\n%v", stackName(cfg), err)
	}
	if addr := fs.Arg(0); addr != "" {
		kept := events[:0]
		for _, e := range events {
			if e.Address == addr {
				kept = append(kept, e)
			}
		}
		events = kept
	}
	if *last > 0 && len(events) > *last {
		events = events[len(events)-*last:]
	}
	if *jsonOut {
		return c.writeJSON(events)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERIAL\tTIME\tACTION\tADDRESS\tDETAIL\tWHO")
	for _, e := range events {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", e.Serial, e.CreatedAt.Local().Format(time.DateTime), e.Action, e.Address, e.Detail, e.Who)
	}
	return flushErr(c, tw.Flush())
}

func flushErr(c *cli, err error) int {
	if err != nil {
		return c.errorf("%v", err)
	}
	return 0
}
