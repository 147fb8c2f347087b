package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/hcl/config"
)

func runVersion(_ context.Context, c *cli, args []string) int {
	fs := c.newFlags("version", "")
	jsonOut := fs.Bool("json", false, "machine-readable output")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if *jsonOut {
		return c.writeJSON(map[string]any{"slab_version": version, "go_version": runtime.Version(), "drivers": drivers.Names()})
	}
	fmt.Fprintf(c.stdout, "slab v%s\non %s_%s, %s\ndrivers: %v\n", version, runtime.GOOS, runtime.GOARCH, runtime.Version(), drivers.Names())
	return 0
}

func runValidate(_ context.Context, c *cli, args []string) int {
	fs := c.newFlags("validate", "")
	var cf configFlags
	cf.register(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if _, ok := c.loadConfig(cf); !ok {
		return 1
	}
	fmt.Fprintln(c.stdout, "Success! The configuration is valid.")
	return 0
}

func runInit(ctx context.Context, c *cli, args []string) int {
	fs := c.newFlags("init", "")
	c.stateFlag(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	cfg, store, code := c.settingsStore()
	if store == nil {
		return code
	}
	defer store.Close()
	st, err := store.Stack(ctx, stackName(cfg))
	if err != nil {
		return c.errorf("Cannot create stack %q\n%v", stackName(cfg), err)
	}
	fmt.Fprintf(c.stdout, "slab has been successfully initialized!\n\nStack %q (lineage %s, serial %d).\nRun slab plan to see what slab would do.\n", st.Name, st.Lineage, st.Serial)
	return 0
}

// runFmt rewrites every *.hcl file of the directory (or the named files)
// in canonical style; -check only lists them and exits 3 when any differ.
func runFmt(_ context.Context, c *cli, args []string) int {
	fs := c.newFlags("fmt", "[FILE...]")
	check := fs.Bool("check", false, "do not write; exit 3 if any file is not formatted")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	files := fs.Args()
	if len(files) == 0 {
		matches, err := filepath.Glob(filepath.Join(c.dir, "*.hcl"))
		if err != nil {
			return c.errorf("%v", err)
		}
		files = matches
	} else {
		for i, f := range files {
			files[i] = c.path(f)
		}
	}
	sort.Strings(files)
	unformatted := 0
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			return c.errorf("%v", err)
		}
		out, diags := config.Format(src, filepath.Base(path))
		if diags.HasErrors() {
			config.WriteDiagnostics(c.stderr, diags, nil)
			return 1
		}
		if bytes.Equal(src, out) {
			continue
		}
		unformatted++
		rel, _ := filepath.Rel(c.dir, path)
		fmt.Fprintln(c.stdout, rel)
		if *check {
			continue
		}
		if err := writeFileKeepMode(path, out); err != nil {
			return c.errorf("%v", err)
		}
	}
	if *check && unformatted > 0 {
		return 3
	}
	return 0
}

func writeFileKeepMode(path string, data []byte) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp := path + ".slabfmt"
	if err := os.WriteFile(tmp, data, fi.Mode().Perm()); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// runForceUnlock breaks a stack lock left by a crashed process.
func runForceUnlock(ctx context.Context, c *cli, args []string) int {
	fs := c.newFlags("force-unlock", "LOCK_ID")
	c.stateFlag(fs)
	force := fs.Bool("force", false, "do not ask for confirmation")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 1
	}
	cfg, store, code := c.settingsStore()
	if store == nil {
		return code
	}
	defer store.Close()
	id := fs.Arg(0)
	if !*force {
		fmt.Fprintf(c.stdout, "Do you really want to force-unlock stack %q (lock %s)?\n  Breaking the lock of a running apply can corrupt its record.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ", stackName(cfg), id)
		if !c.readYes(ctx) {
			fmt.Fprintln(c.stderr, "\nforce-unlock cancelled.")
			return 1
		}
	}
	if err := store.ForceUnlock(ctx, stackName(cfg), id); err != nil {
		return c.errorf("Cannot unlock stack %q\n%v", stackName(cfg), err)
	}
	fmt.Fprintf(c.stdout, "Stack %q has been successfully unlocked.\n", stackName(cfg))
	return 0
}
