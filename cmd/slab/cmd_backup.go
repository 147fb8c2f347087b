package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/slab-storage/slab/cmd/slab/views"
	"github.com/slab-storage/slab/drivers/backup"
	"github.com/slab-storage/slab/planner"
	"github.com/slab-storage/slab/providers"
)

// backupCommands are the `slab backup` subcommands.
var backupCommands = map[string]command{
	"list":   {"List the recorded backups and their chains", runBackupList},
	"verify": {"Re-read a backup's chain from its repository and check every object", runBackupVerify},
}

func runBackup(ctx context.Context, c *cli, args []string) int {
	return c.runSubcommand(ctx, "backup", backupCommands, args)
}

func runBackupList(ctx context.Context, c *cli, args []string) int {
	fs := c.newFlags("backup list", "")
	c.stateFlag(fs)
	jsonOut := fs.Bool("json", false, "machine-readable output")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	rec, _, code := c.readState(ctx, c.loadSettings)
	if rec == nil {
		return code
	}
	rows := views.BackupRows(rec)
	if *jsonOut {
		return c.writeJSON(rows)
	}
	views.WriteBackups(c.stdout, rows)
	return 0
}

func runBackupVerify(ctx context.Context, c *cli, args []string) int {
	fs := c.newFlags("backup verify", "BACKUP")
	c.stateFlag(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 1
	}
	rec, _, code := c.readState(ctx, c.loadSettings)
	if rec == nil {
		return code
	}
	b, err := planner.FindBackup(rec, fs.Arg(0))
	if err != nil {
		return c.errorf("Unknown backup %s\n%v", fs.Arg(0), err)
	}
	prog := c.progress()(b.Address, "verifying")
	stats, err := providers.VerifyBackup(ctx, b, prog)
	if err != nil {
		return c.errorf("Backup %s (%s) failed verification\n%v\nRestoring it would fail the same way. Take a new backup of the volume.", b.Address, b.ID, err)
	}
	fmt.Fprintf(c.stdout, "Backup %s (%s) is intact: %d objects, %s read, chain of %s verified.\n",
		b.Address, b.ID, stats.Objects, views.Bytes(stats.BytesRead), views.Bytes(stats.Size))
	return 0
}

func runRestore(ctx context.Context, c *cli, args []string) int {
	fs := c.newFlags("restore", "BACKUP -to VOLUME")
	c.stateFlag(fs)
	to := fs.String("to", "", "the volume to restore into (an address such as volume.db; it must be available and at least the backup's size)")
	lockTimeout := fs.Duration("lock-timeout", 0, "how long to wait for the state lock")
	var cf configFlags
	cf.register(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	// Options may follow the backup: slab restore backup.weekly -to volume.x.
	if fs.NArg() > 1 {
		rest := fs.Args()[1:]
		backupRef := fs.Arg(0)
		if code, ok := parse(fs, rest); !ok {
			return code
		}
		if fs.NArg() > 0 {
			fs.Usage()
			return 1
		}
		return c.restore(ctx, backupRef, *to, cf, *lockTimeout)
	}
	if fs.NArg() != 1 || *to == "" {
		fs.Usage()
		return 1
	}
	return c.restore(ctx, fs.Arg(0), *to, cf, *lockTimeout)
}

func (c *cli) restore(ctx context.Context, backupRef, volume string, cf configFlags, lockTimeout time.Duration) int {
	if volume == "" {
		return c.errorf("slab restore needs -to VOLUME\nName the volume to restore into, for example: slab restore %s -to volume.db", backupRef)
	}
	cfg, ok := c.loadConfig(cf)
	if !ok {
		return 1
	}
	st, ok := c.openStack(ctx, cfg, "restore", lockTimeout)
	if !ok {
		return 1
	}
	defer st.close()
	pools := planner.NewPoolSet(planner.PoolSpecs(cfg))
	defer pools.Close()
	b, v, err := planner.Restore(ctx, planner.ApplyOptions{Store: st.store, Pools: pools, Who: whoAmI(), Progress: c.progress()},
		st.name, backupRef, volume)
	if err != nil {
		if v != nil && errors.Is(err, backup.ErrCorrupt) {
			return c.errorf("Restore of %s into %s failed\n%v\n%s is left in status error, not available: its data is incomplete. Restore another backup into it, or replace it.", b.Address, v.Address, err, v.Address)
		}
		return c.errorf("Cannot restore %s\n%v", backupRef, err)
	}
	fmt.Fprintf(c.stdout, "Restored %s (%s) into %s; it is available.\n", b.Address, b.ID, v.Address)
	return 0
}

// progress returns the apply option that renders backups and restores
// on standard error: a bar on a terminal, lines every 10 seconds in logs.
// Standard output stays for the plan, results and -json.
func (c *cli) progress() func(address, action string) func(done, total int64) {
	terminal := false
	if f, ok := c.stderr.(*os.File); ok {
		terminal = term.IsTerminal(int(f.Fd()))
	}
	var mu sync.Mutex // bars of parallel steps share one terminal
	return func(address, action string) func(done, total int64) {
		p := &views.Progress{W: lockedWriter{&mu, c.stderr}, Label: address + ": " + action, Terminal: terminal}
		return p.Progress
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  interface{ Write([]byte) (int, error) }
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
