package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/hcl/config"
	"github.com/slab-storage/slab/planner"
	"github.com/slab-storage/slab/planner/schedule"
	"github.com/slab-storage/slab/state"
	"github.com/slab-storage/slab/state/location"
	"github.com/slab-storage/slab/state/postgres"
)

// DefaultStatePath is the embedded default store, relative to the
// working directory.
const DefaultStatePath = location.DefaultSQLitePath

// configFlags are the options every command that reads configuration takes.
type configFlags struct {
	vars     stringList
	varFiles stringList
}

func (f *configFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.vars, "var", "set a variable: -var 'name=value' (repeatable)")
	fs.Var(&f.varFiles, "var-file", "read variables from an HCL file (repeatable)")
}

// loadConfig loads and validates the working directory's configuration,
// printing diagnostics. ok is false when there were errors.
func (c *cli) loadConfig(f configFlags) (*config.Config, bool) {
	return c.load(c.loadOptions(f))
}

// loadOptions are the options loadConfig loads the configuration with.
func (c *cli) loadOptions(f configFlags) config.LoadOptions {
	varFiles := make([]string, len(f.varFiles))
	for i, p := range f.varFiles {
		varFiles[i] = c.path(p)
	}
	return config.LoadOptions{
		Vars: f.vars, VarFiles: varFiles, Environ: c.env, KnownDrivers: drivers.Names(),
		KnownFilters: schedule.FilterNames(), KnownWeighers: schedule.WeigherNames(),
	}
}

// loadSettings reads only the slab block: where the state is and which
// stack, for commands that read state or apply a saved plan and so need
// no variables.
func (c *cli) loadSettings() (*config.Config, bool) {
	return c.load(config.LoadOptions{SettingsOnly: true})
}

func (c *cli) load(opts config.LoadOptions) (*config.Config, bool) {
	cfg, diags := config.Load(c.dir, opts)
	var files map[string]*hcl.File
	if cfg != nil {
		files = cfg.Files
	}
	if len(diags) > 0 {
		config.WriteDiagnostics(c.stderr, diags, files)
	}
	if diags.HasErrors() {
		return nil, false
	}
	return cfg, true
}

// path resolves a user-given path against the working directory.
func (c *cli) path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.dir, p)
}

// stackName is the configured stack, or "default".
func stackName(cfg *config.Config) string {
	if cfg != nil && cfg.Settings.Stack != "" {
		return cfg.Settings.Stack
	}
	return "default"
}

// settingsStore reads the slab block and opens its state store, for
// commands that need no variables; on failure store is nil and code the
// exit code, the error printed.
func (c *cli) settingsStore() (*config.Config, state.Store, int) {
	cfg, ok := c.loadSettings()
	if !ok {
		return nil, nil, 1
	}
	store, err := c.openStore(cfg)
	if err != nil {
		return nil, nil, c.errorf("Cannot open the state store\n%v", err)
	}
	return cfg, store, 0
}

// stateLocation is where the state store is: the -state flag, else
// SLAB_STATE, else the slab block's state, else SQLite at .slab/state.db.
func (c *cli) stateLocation(cfg *config.Config) string {
	settings := ""
	if cfg != nil {
		settings = cfg.Settings.State
	}
	return location.Resolve(c.state, c.env, settings)
}

// storeIdentity names the state store a plan is made against without
// keeping its location (which may hold a password).
func (c *cli) storeIdentity(cfg *config.Config) string {
	return c.locationIdentity(c.stateLocation(cfg))
}

// locationIdentity is a hash of a state location's absolute SQLite path
// or of its database (user, host, port, name — never the password): equal
// for two spellings of one store.
func (c *cli) locationIdentity(loc string) string {
	if postgres.IsDSN(loc) {
		loc = postgres.Identity(loc)
	} else {
		loc = c.sqlitePath(loc)
		if abs, err := filepath.Abs(loc); err == nil {
			loc = abs
		}
	}
	sum := sha256.Sum256([]byte(loc))
	return hex.EncodeToString(sum[:8])
}

// sqlitePath is the file of a SQLite location ("" for the default),
// relative to the working directory.
func (c *cli) sqlitePath(loc string) string {
	return location.SQLitePath(c.dir, loc)
}

// openStore opens the state store at stateLocation.
func (c *cli) openStore(cfg *config.Config) (state.Store, error) {
	return c.openLocation(c.stateLocation(cfg))
}

// openLocation opens the state store at a location as stateLocation
// spells it: a postgres DSN, or a SQLite path ("" for the default).
func (c *cli) openLocation(loc string) (state.Store, error) {
	return location.Open(context.Background(), c.dir, loc)
}

// displayLocation is a state location fit for a message: a DSN with its
// password masked, a SQLite file by its path.
func (c *cli) displayLocation(loc string) string {
	return location.Display(c.dir, loc)
}

// commandSummary is what a lock row says about the command holding it:
// the command and the names of its flags, never their values or other
// arguments, since those may be DSNs or sensitive -var values and any user
// of a shared store can read the row.
func commandSummary(args []string) string {
	var words []string
	command := ""
	for _, a := range args[1:] {
		switch {
		case strings.HasPrefix(a, "-"):
			name, _, _ := strings.Cut(a, "=")
			words = append(words, name)
		case command == "":
			command = a
			words = append(words, a)
		case command == "state" && len(words) > 0 && words[len(words)-1] == "state":
			words = append(words, a) // state rm, state mv, …
		}
	}
	return strings.Join(words, " ")
}

// whoAmI names this process in locks and history.
func whoAmI() string {
	host, _ := os.Hostname()
	user := os.Getenv("USER")
	if user == "" {
		user = fmt.Sprint(os.Getuid())
	}
	return fmt.Sprintf("%s@%s (pid %d)", user, host, os.Getpid())
}

// lock takes the stack's writer lock and returns its release function.
func (c *cli) lock(ctx context.Context, store state.Store, stack, operation string, timeout time.Duration) (func(), bool) {
	info := "slab " + version + ": " + commandSummary(os.Args)
	l, err := store.LockWith(ctx, state.Lock{Stack: stack, Who: whoAmI(), Operation: operation, Info: info}, timeout)
	if err != nil {
		var locked *state.LockedError
		if errors.As(err, &locked) {
			c.errorf("Error acquiring the state lock\n%v\nslab takes one writer per stack. Wait for that operation to finish, retry with -lock-timeout=5m, or, if it crashed, break the lock with: slab force-unlock %s", err, locked.Holder.ID)
			return nil, false
		}
		c.errorf("Error acquiring the state lock\n%v", err)
		return nil, false
	}
	return func() {
		if err := store.Unlock(context.WithoutCancel(ctx), stack, l.ID); err != nil {
			fmt.Fprintf(c.stderr, "Warning: releasing the state lock %s: %v\n", l.ID, err)
		}
	}, true
}

// printDiags prints diagnostics raised outside config loading (planner).
func (c *cli) printDiags(diags hcl.Diagnostics, cfg *config.Config) {
	var files map[string]*hcl.File
	if cfg != nil {
		files = cfg.Files
	}
	config.WriteDiagnostics(c.stderr, diags, files)
}

// applyError reports an apply error, explaining stale plans.
func (c *cli) applyError(err error) int {
	var stale *planner.StalePlanError
	if errors.As(err, &stale) {
		return c.errorf("Saved plan is stale\n%v", err)
	}
	return c.errorf("%v", err)
}
