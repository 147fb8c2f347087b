package planner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/slab-storage/slab/drivers"
	_ "github.com/slab-storage/slab/drivers/file"
	"github.com/slab-storage/slab/hcl/config"
	"github.com/slab-storage/slab/state"
	"github.com/slab-storage/slab/state/sqlite"
)

// fixture is a working directory with real file pools and a real SQLite
// store.
type fixture struct {
	t     *testing.T
	dir   string
	store state.Store
}

func newFixture(t *testing.T, src string) *fixture {
	t.Helper()
	dir := t.TempDir()
	store, err := sqlite.Open(filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	f := &fixture{t: t, dir: dir, store: store}
	f.write(src)
	return f
}

func (f *fixture) write(src string) {
	f.t.Helper()
	if err := os.WriteFile(filepath.Join(f.dir, "main.hcl"), []byte(src), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) config() *config.Config {
	f.t.Helper()
	cfg, diags := config.Load(f.dir, config.LoadOptions{KnownDrivers: drivers.Names()})
	if diags.HasErrors() {
		f.t.Fatalf("config: %v", diags)
	}
	return cfg
}

// plan makes a plan; diags are returned for tests that expect errors.
func (f *fixture) plan(opts Options) (*Plan, hcl.Diagnostics) {
	f.t.Helper()
	cfg := f.config()
	ctx := context.Background()
	if _, err := f.store.Stack(ctx, "default"); err != nil {
		f.t.Fatal(err)
	}
	rec, err := f.store.Read(ctx, "default")
	if err != nil {
		f.t.Fatal(err)
	}
	opts.Refresh = true
	pools := NewPoolSet(PoolSpecs(cfg))
	f.t.Cleanup(func() { pools.Close() })
	return Make(ctx, cfg, rec, pools, opts)
}

func (f *fixture) mustPlan(opts Options) *Plan {
	f.t.Helper()
	p, diags := f.plan(opts)
	if diags.HasErrors() {
		f.t.Fatalf("plan: %v", diags)
	}
	return p
}

func (f *fixture) apply(p *Plan) *Result {
	f.t.Helper()
	pools := NewPoolSet(p.Pools)
	defer pools.Close()
	res, err := Apply(context.Background(), p, ApplyOptions{Store: f.store, Pools: pools})
	if err != nil {
		f.t.Fatal(err)
	}
	if len(res.Failed) > 0 {
		f.t.Fatalf("apply failed: %v", res.Failed)
	}
	return res
}

func (f *fixture) read() *state.State {
	f.t.Helper()
	rec, err := f.store.Read(context.Background(), "default")
	if err != nil {
		f.t.Fatal(err)
	}
	return rec
}

func actions(p *Plan) map[string]Action {
	out := map[string]Action{}
	for _, c := range p.Changes {
		out[c.Address] = c.Action
	}
	return out
}

const twoEqualPools = `
backend "b" {
  driver = "file"
  pool "a" {
    path = "pa"
  }
  pool "b" {
    path = "pb"
  }
}
`

func TestPlacementsInOnePlanConsumeCapacity(t *testing.T) {
	f := newFixture(t, twoEqualPools+`
volume "v" {
  count = 4
  size  = 1
}
`)
	p := f.mustPlan(Options{})
	var pools []string
	for _, c := range p.Changes {
		pools = append(pools, c.Placement.Pool)
	}
	// Both pools report the same stats, so each placement tips the next
	// one to the other pool.
	if got := strings.Join(pools, ","); got != "b#a,b#b,b#a,b#b" {
		t.Errorf("placements = %s, want them to alternate", got)
	}
	if exp := p.Changes[0].Placement.Explanation; exp == nil || len(exp.Weighed) != 2 {
		t.Errorf("placement explanation = %+v, want both pools weighed", exp)
	}
}

func TestInterruptedCreatesAreSettledFromWhatThePoolHolds(t *testing.T) {
	f := newFixture(t, twoEqualPools+`
volume "made" {
  size = 1
}
volume "lost" {
  size = 1
}
`)
	ctx := context.Background()
	pool, err := drivers.Open("file", drivers.PoolConfig{Backend: "b", Name: "a", Path: filepath.Join(f.dir, "pa")})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	// A crash right after the driver made "made", and one before the
	// driver made "lost": both rows say creating.
	if _, err := pool.CreateVolume(ctx, drivers.CreateVolumeRequest{ID: "made-1", SizeGiB: 1}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []*state.Volume{
		{ID: "made-1", Address: "volume.made", Name: "made", Pool: "b#a", SizeGiB: 1, Status: "creating", CreatedAt: time.Now()},
		{ID: "lost-1", Address: "volume.lost", Name: "lost", Pool: "b#a", SizeGiB: 1, Status: "creating", CreatedAt: time.Now()},
	} {
		if _, err := f.store.Apply(ctx, "default", state.Write{Put: v, Event: state.Event{Action: "create"}}); err != nil {
			t.Fatal(err)
		}
	}
	p := f.mustPlan(Options{})
	if a := actions(p); a["volume.made"] != NoOp || a["volume.lost"] != Create {
		t.Fatalf("actions = %v, want made kept and lost created again", a)
	}
	if len(p.Drift) != 2 {
		t.Fatalf("drift = %+v, want two entries", p.Drift)
	}
	f.apply(p)
	rec := f.read()
	for _, v := range rec.Volumes {
		if v.Status != "available" {
			t.Errorf("%s is %s after apply", v.Address, v.Status)
		}
	}
	if len(rec.Volumes) != 2 {
		t.Errorf("%d volumes recorded, want 2", len(rec.Volumes))
	}
	if p := f.mustPlan(Options{}); p.HasChanges() {
		t.Errorf("not converged: %v", actions(p))
	}
}

func TestPlanDecisions(t *testing.T) {
	base := twoEqualPools + `
backend "far" {
  driver            = "file"
  availability_zone = "nova2"
  pool "p" {
    path = "pfar"
  }
}
volume_type "plain" {
}
volume_type "far" {
  extra_specs = { "RESKEY:availability_zones" = "elsewhere" }
}
volume "v" {
  size              = 2
  metadata          = { a = "1" }
  availability_zone = "nova"
  %s
}
snapshot "s" {
  volume = volume.v
}
`
	tests := []struct {
		name   string
		change string // replaces %s in the second configuration
		mutate func(string) string
		opts   Options
		want   map[string]Action
		diag   string
		reason string
	}{
		{name: "nothing changed is a no-op", want: map[string]Action{"volume.v": NoOp, "snapshot.s": NoOp}},
		{name: "a new description is an update in place", change: `description = "x"`, want: map[string]Action{"volume.v": Update, "snapshot.s": NoOp}},
		{name: "new metadata is an update in place", mutate: func(s string) string { return strings.Replace(s, `{ a = "1" }`, `{ a = "2" }`, 1) },
			want: map[string]Action{"volume.v": Update, "snapshot.s": NoOp}},
		{name: "a new availability zone replaces the volume and its snapshot",
			mutate: func(s string) string {
				return strings.Replace(s, `availability_zone = "nova"`, `availability_zone = "nova2"`, 1)
			},
			want: map[string]Action{"volume.v": Replace, "snapshot.s": Replace}, reason: ReasonCannotUpdate},
		{name: "a zone with no pool cannot be planned",
			mutate: func(s string) string {
				return strings.Replace(s, `availability_zone = "nova"`, `availability_zone = "mars"`, 1)
			},
			diag: "No valid pool"},
		{name: "growing the volume is an update in place", mutate: func(s string) string { return strings.Replace(s, "size              = 2", "size              = 3", 1) },
			want: map[string]Action{"volume.v": Update, "snapshot.s": NoOp}},
		{name: "replace by request takes the snapshot along", opts: Options{Replace: []string{"volume.v"}},
			want: map[string]Action{"volume.v": Replace, "snapshot.s": Replace}, reason: ReasonRequested},
		{name: "a retype the pool cannot satisfy is refused", change: `type = volume_type.far`, diag: "Volume cannot be retyped in place"},
		{name: "prevent_destroy refuses a replacement", change: "lifecycle {\n prevent_destroy = true\n}", opts: Options{Replace: []string{"volume.v"}},
			diag: "Instance cannot be destroyed"},
		{name: "create_before_destroy flips the replacement", change: "lifecycle {\n create_before_destroy = true\n}", opts: Options{Replace: []string{"volume.v"}},
			want: map[string]Action{"volume.v": CreateThenDelete}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, strings.Replace(base, "%s", "type = volume_type.plain", 1))
			f.apply(f.mustPlan(Options{}))
			change := tt.change
			if !strings.HasPrefix(change, "type") {
				change = "type = volume_type.plain\n" + change
			}
			second := strings.Replace(base, "%s", change, 1)
			if tt.mutate != nil {
				second = tt.mutate(second)
			}
			f.write(second)
			p, diags := f.plan(tt.opts)
			if tt.diag != "" {
				if !diags.HasErrors() || !strings.Contains(diags.Error(), tt.diag) {
					t.Fatalf("diags = %v, want %q", diags, tt.diag)
				}
				if p != nil {
					t.Error("a plan with errors was returned")
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			got := actions(p)
			for addr, want := range tt.want {
				if got[addr] != want {
					t.Errorf("%s: %s, want %s", addr, got[addr], want)
				}
			}
			if tt.reason != "" && p.Change("volume.v").Reason != tt.reason {
				t.Errorf("reason = %q, want %q", p.Change("volume.v").Reason, tt.reason)
			}
			f.apply(p)
			if again := f.mustPlan(Options{}); again.HasChanges() {
				t.Errorf("not converged after apply: %v", actions(again))
			}
		})
	}
}

func TestSavedPlanRoundTrips(t *testing.T) {
	f := newFixture(t, twoEqualPools+"volume \"v\" {\n  size = 1\n  metadata = { k = \"v\" }\n}\n")
	p := f.mustPlan(Options{})
	path := filepath.Join(f.dir, "p.plan")
	if err := Save(path, p); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	c := got.Change("volume.v")
	if c.After["size"] != int64(1) || c.After["metadata"].(map[string]string)["k"] != "v" {
		t.Errorf("after = %#v: types were not restored", c.After)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("plan file mode %v, want 0600", fi.Mode().Perm())
	}
	f.apply(got)
	if len(f.read().Volumes) != 1 {
		t.Error("the loaded plan did not create the volume")
	}
}

func TestVolumesShowTheirTypesQoSResolvedForTheirSize(t *testing.T) {
	f := newFixture(t, twoEqualPools+`
qos "gold" {
  consumer = "front-end"
  specs    = { total_iops_sec_per_gb = 30, total_iops_sec_per_gb_min = 100, total_iops_sec_max = 1000 }
}
volume_type "gold" {
  qos = qos.gold
}
volume "small" {
  size = 2
  type = volume_type.gold
}
volume "medium" {
  size = 10
  type = volume_type.gold
}
volume "large" {
  size = 50
  type = volume_type.gold
}
volume "plain" {
  size = 5
}
`)
	p := f.mustPlan(Options{})
	for addr, want := range map[string]string{"volume.small": "100", "volume.medium": "300", "volume.large": "1000"} {
		limits, _ := p.Change(addr).After["qos_limits"].(map[string]string)
		if limits["total_iops_sec"] != want {
			t.Errorf("%s: total_iops_sec = %q, want %s (Cinder's per-GB resolution)", addr, limits["total_iops_sec"], want)
		}
	}
	if _, ok := p.Change("volume.plain").After["qos_limits"]; ok {
		t.Error("a volume without a QoS type shows limits")
	}
}
