package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/slab-storage/slab/cmd/slab/views"
	"github.com/slab-storage/slab/planner/schedule"
)

// runSchedule runs the scheduler on declared pool stats, for what-if
// capacity planning. Exit 0: a pool was selected; 1: none passes; 2: bad
// input.
func runSchedule(_ context.Context, c *cli, args []string) int {
	fs := c.newFlags("schedule", "")
	poolsPath := fs.String("pools", "", "POOLS.json: the candidate pools and their stats (see docs/schedule.md)")
	reqPath := fs.String("request", "", "REQUEST.json: the volume to place and, optionally, the filters and weighers")
	jsonOut := fs.Bool("json", false, "machine-readable output")
	if code, ok := parse(fs, args); !ok {
		if code == 1 {
			return 2
		}
		return code
	}
	if *poolsPath == "" || *reqPath == "" {
		fs.Usage()
		return 2
	}
	pools, err := readInput(c.path(*poolsPath), schedule.DecodePools)
	if err != nil {
		c.errorf("Invalid pools file %s\n%v", *poolsPath, err)
		return 2
	}
	var spec schedule.Spec
	req, err := readInput(c.path(*reqPath), func(b []byte) (schedule.Request, error) {
		r, s, err := schedule.DecodeRequest(b)
		spec = s
		return r, err
	})
	if err != nil {
		c.errorf("Invalid request file %s\n%v", *reqPath, err)
		return 2
	}
	sched, err := schedule.New(spec)
	if err != nil {
		c.errorf("Invalid request file %s\n%v", *reqPath, err)
		return 2
	}
	chosen, exp, err := sched.Place(pools, req)
	var noPool *schedule.NoValidPoolError
	if err != nil && !errors.As(err, &noPool) {
		return c.errorf("%v", err)
	}
	order := make([]string, len(pools))
	for i, p := range pools {
		order[i] = p.Name
	}
	if *jsonOut {
		var selected *string
		if chosen != nil {
			selected = &chosen.Name
		}
		if code := c.writeJSON(map[string]any{"selected": selected, "pools": exp.Results(order)}); code != 0 {
			return code
		}
	} else {
		views.WriteExplanation(c.stdout, &exp)
	}
	if chosen == nil {
		if !*jsonOut {
			fmt.Fprintln(c.stderr, "\nNo pool passes every filter; the reasons are above.")
		}
		return 1
	}
	return 0
}

func readInput[T any](path string, decode func([]byte) (T, error)) (T, error) {
	var zero T
	raw, err := os.ReadFile(path)
	if err != nil {
		return zero, err
	}
	return decode(raw)
}
