package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	_ "github.com/slab-storage/slab/drivers/file"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// cli is one invocation's streams and working directory.
type cli struct {
	dir    string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	env    []string
	// state is the -state flag: where the state store is, overriding
	// SLAB_STATE and the slab block.
	state string
}

// stateFlag adds -state to a command that opens the state store.
func (c *cli) stateFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.state, "state", "", "the state store: a SQLite file path or postgres://… (overrides SLAB_STATE and the slab block)")
}

type command struct {
	synopsis string
	run      func(ctx context.Context, c *cli, args []string) int
}

var commands map[string]command

func init() {
	commands = map[string]command{
		"init":         {"Prepare the working directory and state store", runInit},
		"validate":     {"Check the configuration without touching state or pools", runValidate},
		"fmt":          {"Rewrite configuration files in canonical style", runFmt},
		"plan":         {"Show what changes apply would make", runPlan},
		"apply":        {"Make the changes (from the configuration or a saved plan)", runApply},
		"destroy":      {"Destroy everything the stack manages", runDestroy},
		"show":         {"Show the recorded state or a saved plan", runShow},
		"state":        {"Inspect, edit or move the recorded state (list, show, history, rm, mv, migrate)", runState},
		"output":       {"Show output values", runOutput},
		"version":      {"Show the slab version", runVersion},
		"force-unlock": {"Break a stack lock left by a crashed process", runForceUnlock},
		"import":       {"Adopt an object that already exists on a pool (a volume, a snapshot or a file)", runImport},
		"schedule":     {"Run the scheduler on declared pool stats (what-if capacity planning)", runSchedule},
		"reconcile":    {"Plan (and apply) in a loop for GitOps, with JSON events and metrics", runReconcile},
		"backup":       {"List backups or verify one (list, verify)", runBackup},
		"restore":      {"Restore a backup into an existing volume: slab restore BACKUP -to VOLUME", runRestore},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// A reader that goes away (slab plan | head) must not kill slab before
	// it releases its lock: with SIGPIPE caught, writes just fail.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ())
	stop()
	os.Exit(code)
}

// run parses global flags (-chdir) and dispatches to a subcommand. Exit
// codes follow Terraform: 0 success, 1 error (2 for plan changes with
// -detailed-exitcode, 3 for fmt -check with unformatted files).
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env []string) int {
	global := flag.NewFlagSet("slab", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	chdir := global.String("chdir", "", "switch to this directory before running the command")
	help := global.Bool("help", false, "show help")
	showVersion := global.Bool("version", false, "show the version")
	if err := global.Parse(args); err != nil {
		fmt.Fprintf(stderr, "Error: %v\n\n", err)
		usage(stderr)
		return 1
	}
	if *showVersion {
		return runVersion(ctx, &cli{stdout: stdout, stderr: stderr}, nil)
	}
	rest := global.Args()
	if *help || len(rest) == 0 {
		usage(stdout)
		if *help {
			return 0
		}
		return 1
	}
	cmd, ok := commands[rest[0]]
	if !ok {
		fmt.Fprintf(stderr, "Error: unknown command %q\n\n", rest[0])
		usage(stderr)
		return 1
	}
	dir := "."
	if *chdir != "" {
		dir = *chdir
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		fmt.Fprintf(stderr, "Error: -chdir=%s is not a directory\n", dir)
		return 1
	}
	return cmd.run(ctx, &cli{dir: dir, stdin: stdin, stdout: stdout, stderr: stderr, env: env}, rest[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: slab [-chdir=DIR] <command> [options]")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-13s %s\n", n, commands[n].synopsis)
	}
	fmt.Fprintln(w, "\nEvery option can be written -option or --option. Run slab <command> -help for its options.")
}

// newFlags makes a subcommand's flag set; errors and -help print its usage.
func (c *cli) newFlags(name, argsUsage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprintf(c.stderr, "Usage: slab %s [options] %s\n\nOptions:\n", name, argsUsage)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags; it returns the exit code to use when parsing ended
// the command (-help → 0, bad flag → 1).
func parse(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 1, false
	}
	return 0, true
}

// errorf prints an error the way diagnostics without a source range print.
func (c *cli) errorf(format string, args ...any) int {
	msg := fmt.Sprintf(format, args...)
	summary, detail, _ := strings.Cut(msg, "\n")
	fmt.Fprintf(c.stderr, "Error: %s\n", summary)
	if detail != "" {
		fmt.Fprintf(c.stderr, "\n%s\n", detail)
	}
	return 1
}

// stringList is a repeatable string flag (-var, -var-file, -replace).
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
