package config

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"
)

// loadValid loads testdata/valid/<name> and fails on any diagnostic.
func loadValid(t *testing.T, name string, opts LoadOptions) *Config {
	t.Helper()
	cfg, diags := Load(filepath.Join("testdata/valid", name), opts)
	if len(diags) > 0 {
		t.Fatalf("unexpected diagnostics:\n%s", diagsText(diags, cfg.Files))
	}
	return cfg
}

func volumeByAddr(t *testing.T, cfg *Config, addr string) *Volume {
	t.Helper()
	for _, v := range cfg.Volumes {
		if v.Address == addr {
			return v
		}
	}
	t.Fatalf("no volume %s", addr)
	return nil
}

func snapshotByAddr(t *testing.T, cfg *Config, addr string) *Snapshot {
	t.Helper()
	for _, s := range cfg.Snapshots {
		if s.Address == addr {
			return s
		}
	}
	t.Fatalf("no snapshot %s", addr)
	return nil
}

func addresses[T any](items []T, addr func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = addr(it)
	}
	return out
}

func check(t *testing.T, what string, got, want any) {
	t.Helper()
	if g, ok := got.(cty.Value); ok {
		if w, ok := want.(cty.Value); ok && (g == cty.NilVal) == (w == cty.NilVal) && (g == cty.NilVal || g.RawEquals(w)) {
			return
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %#v\nwant %#v", what, got, want)
	}
}

func TestDesignExample(t *testing.T) {
	cfg := loadValid(t, "design-example", LoadOptions{KnownDrivers: testDrivers})
	dir, _ := filepath.Abs("testdata/valid/design-example")

	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"the slab block sets the stack and the state", func(t *testing.T) {
			check(t, "stack", cfg.Settings.Stack, "prod-storage")
			check(t, "state", cfg.Settings.State, "postgres://slab@db/slab")
			check(t, "dir", cfg.Dir, dir)
		}},
		{"volumes come in declaration order then key order", func(t *testing.T) {
			check(t, "volumes", addresses(cfg.Volumes, func(v *Volume) string { return v.Address }),
				[]string{`volume.db["a"]`, `volume.db["b"]`, `volume.db["c"]`, "volume.db-a-test"})
		}},
		{"a for_each instance carries its key, size, type and metadata", func(t *testing.T) {
			v := volumeByAddr(t, cfg, `volume.db["b"]`)
			check(t, "kind", v.Kind, "volume")
			check(t, "name", v.Name, "db")
			check(t, "key", v.Key, cty.StringVal("b"))
			check(t, "size", v.Size, 20)
			check(t, "type", v.Type, "volume_type.gold")
			check(t, "az", v.AvailabilityZone, "az1")
			check(t, "metadata", v.Metadata, map[string]string{"app": "postgres", "member": "b", "primary": "false"})
			check(t, "lifecycle", v.Lifecycle, Lifecycle{PreventDestroy: true})
			check(t, "depends on", v.DependsOn, []string{"volume_type.gold"})
		}},
		{"scheduler hints are kept as raw cty values", func(t *testing.T) {
			v := volumeByAddr(t, cfg, `volume.db["a"]`)
			if got := v.SchedulerHints["different_backend"]; !got.Type().IsTupleType() || got.LengthInt() != 0 {
				t.Errorf("different_backend = %#v", got)
			}
			want := cty.TupleVal([]cty.Value{cty.StringVal("="), cty.StringVal("$free_capacity_gb"), cty.NumberIntVal(100)})
			if got := v.SchedulerHints["query"]; !got.RawEquals(want) {
				t.Errorf("query = %#v", got)
			}
		}},
		{"a volume from a snapshot records its source, and a type named by a string resolves", func(t *testing.T) {
			v := volumeByAddr(t, cfg, "volume.db-a-test")
			check(t, "source", v.Source, VolumeSource{Kind: "snapshot", Address: "snapshot.db-a-before-upgrade"})
			check(t, "type", v.Type, "volume_type.gold")
			check(t, "key", v.Key, cty.NilVal)
			check(t, "depends on", v.DependsOn, []string{"snapshot.db-a-before-upgrade", "volume_type.gold"})
			check(t, "lifecycle", v.Lifecycle, Lifecycle{CreateBeforeDestroy: true, IgnoreChanges: []string{"metadata", "size"}})
		}},
		{"attribute ranges point at each value", func(t *testing.T) {
			v := volumeByAddr(t, cfg, "volume.db-a-test")
			r := v.Range("source.snapshot")
			check(t, "source.snapshot", [3]any{r.Filename, r.Start.Line, r.Start.Column}, [3]any{"main.hcl", 68, 25})
			r = v.Range("lifecycle.ignore_changes")
			check(t, "ignore_changes", r.Start.Line, 73)
			check(t, "unset falls back to the block", v.Range("description"), v.DeclRange)
			check(t, "decl", v.DeclRange.Start.Line, 67)
		}},
		{"a snapshot refers to one volume instance", func(t *testing.T) {
			s := snapshotByAddr(t, cfg, "snapshot.db-a-before-upgrade")
			check(t, "volume", s.Volume, `volume.db["a"]`)
			check(t, "depends on", s.DependsOn, []string{`volume.db["a"]`})
		}},
		{"backends default their zone and keep options as strings", func(t *testing.T) {
			check(t, "backends", addresses(cfg.Backends, func(b *Backend) string { return b.Address }), []string{"backend.ssd", "backend.nas"})
			ssd, nas := cfg.Backends[0], cfg.Backends[1]
			check(t, "ssd zone", ssd.AvailabilityZone, "az1")
			check(t, "nas zone", nas.AvailabilityZone, "nova")
			check(t, "driver", ssd.Driver, "file")
			check(t, "options", ssd.Options, map[string]string{"sparse": "true", "block_size": "4096"})
		}},
		{"pools get absolute paths, ratios as strings and plain Go capabilities", func(t *testing.T) {
			fast, bulk := cfg.Backends[0].Pools[0], cfg.Backends[0].Pools[1]
			check(t, "full name", fast.FullName(), "ssd#fast")
			check(t, "path", fast.Path, "/srv/slab/fast")
			check(t, "relative path", bulk.Path, filepath.Join(dir, "bulk"))
			check(t, "ratio", fast.MaxOverSubscriptionRatio, "20")
			check(t, "auto", bulk.MaxOverSubscriptionRatio, "auto")
			check(t, "reserved", fast.ReservedPercentage, 5)
			check(t, "capabilities", fast.Capabilities, map[string]any{
				"disk": "ssd", "storage_protocol": "iscsi", "thin": true,
				"iops": int64(50000), "latency_ms": 0.25,
				"zones": []any{"a", "b"},
				"tier":  map[string]any{"level": int64(1), "name": "gold"},
			})
			check(t, "no capabilities", bulk.Capabilities, map[string]any{})
		}},
		{"qos specs are strings without exponents and consumer defaults to back-end", func(t *testing.T) {
			gold, def := cfg.QoS[0], cfg.QoS[1]
			check(t, "consumer", gold.Consumer, "front-end")
			check(t, "default consumer", def.Consumer, "back-end")
			check(t, "specs", gold.Specs, map[string]string{
				"total_iops_sec_per_gb": "30", "total_iops_sec_per_gb_min": "100",
				"total_iops_sec_max": "1000", "read_bytes_sec": "1000000000",
			})
			check(t, "string spec", def.Specs, map[string]string{"total_iops_sec": "500"})
		}},
		{"volume types store extra specs as Cinder does and refer to their qos", func(t *testing.T) {
			vt := cfg.VolumeTypes[0]
			check(t, "description", vt.Description, "fast and thin")
			check(t, "extra specs", vt.ExtraSpecs, map[string]string{
				"capabilities:disk": "ssd", "provisioning:type": "thin",
				"multiattach": "True", "provisioning:min_vol_size": "10",
			})
			check(t, "qos", vt.QoS, "qos.gold")
			check(t, "depends on", vt.DependsOn, []string{"qos.gold"})
		}},
		{"variables hold their final values", func(t *testing.T) {
			check(t, "replicas", cfg.Variables["replicas"], cty.NumberIntVal(3))
			check(t, "source", cfg.VariableDecls[0].Source, "default")
		}},
		{"every file is kept for diagnostics", func(t *testing.T) {
			if cfg.Files["main.hcl"] == nil {
				t.Error("main.hcl missing from Files")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

func TestInstances(t *testing.T) {
	cfg := loadValid(t, "instances", LoadOptions{})
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"count makes numbered instances that see count.index", func(t *testing.T) {
			for i, want := range []struct {
				addr string
				size int
			}{{"volume.replica[0]", 10}, {"volume.replica[1]", 11}, {"volume.replica[2]", 12}} {
				v := volumeByAddr(t, cfg, want.addr)
				check(t, want.addr+" size", v.Size, want.size)
				check(t, want.addr+" key", v.Key, cty.NumberIntVal(int64(i)))
				check(t, want.addr+" description", v.Description, "replica "+string(rune('0'+i)))
				check(t, want.addr+" type", v.Type, `volume_type.tier["gold"]`)
			}
		}},
		{"for_each over a map gives each.key and each.value", func(t *testing.T) {
			a, b := volumeByAddr(t, cfg, `volume.db["a"]`), volumeByAddr(t, cfg, `volume.db["b"]`)
			check(t, "a size", a.Size, 10)
			check(t, "b size", b.Size, 20)
			check(t, "b type", b.Type, `volume_type.tier["silver"]`)
			check(t, "types", addresses(cfg.VolumeTypes, func(v *VolumeType) string { return v.Description }),
				[]string{"gold: fast", "silver: cheap"})
		}},
		{"an index computed per instance makes a dependency on that instance only", func(t *testing.T) {
			check(t, "a", volumeByAddr(t, cfg, `volume.db["a"]`).DependsOn, []string{`volume_type.tier["gold"]`})
			check(t, "b", volumeByAddr(t, cfg, `volume.db["b"]`).DependsOn, []string{`volume_type.tier["silver"]`})
			check(t, "replica", snapshotByAddr(t, cfg, "snapshot.replica[1]").DependsOn, []string{"volume.replica[1]"})
		}},
		{"for_each over another block's instances depends on the matching instance", func(t *testing.T) {
			s := snapshotByAddr(t, cfg, `snapshot.db["b"]`)
			check(t, "volume", s.Volume, `volume.db["b"]`)
			check(t, "key", s.Key, cty.StringVal("b"))
			check(t, "depends on", s.DependsOn, []string{`volume.db["b"]`})
		}},
		{"count = 0 makes no instance", func(t *testing.T) {
			for _, v := range cfg.Volumes {
				if v.Name == "none" {
					t.Errorf("unexpected %s", v.Address)
				}
			}
		}},
		{"depends_on adds instances and whole blocks, merged with references", func(t *testing.T) {
			check(t, "app", volumeByAddr(t, cfg, "volume.app").DependsOn,
				[]string{`snapshot.db["a"]`, `snapshot.db["b"]`, `volume.db["a"]`, "volume.replica[1]"})
		}},
		{"a clone depends on its source", func(t *testing.T) {
			v := volumeByAddr(t, cfg, "volume.clone")
			check(t, "source", v.Source, VolumeSource{Kind: "volume", Address: "volume.replica[2]"})
			check(t, "depends on", v.DependsOn, []string{"volume.replica[2]"})
		}},
		{"snapshots come in declaration then key order", func(t *testing.T) {
			check(t, "snapshots", addresses(cfg.Snapshots, func(s *Snapshot) string { return s.Address }),
				[]string{`snapshot.db["a"]`, `snapshot.db["b"]`, "snapshot.replica[0]", "snapshot.replica[1]", "snapshot.replica[2]"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

func TestLocalsAndOutputs(t *testing.T) {
	cfg := loadValid(t, "locals-and-outputs", LoadOptions{})
	t.Run("a reference through locals is a dependency, transitively", func(t *testing.T) {
		v := volumeByAddr(t, cfg, "volume.logs")
		check(t, "depends on", v.DependsOn, []string{"volume.data[0]"})
		check(t, "description", v.Description, "prod logs next to volume.data[0]")
	})
	t.Run("outputs are declared in order with their settings", func(t *testing.T) {
		check(t, "names", addresses(cfg.Outputs, func(o *Output) string { return o.Name }), []string{"ids", "logs", "snapshot_size", "static"})
		check(t, "description", cfg.Outputs[0].Description, "the data volume ids")
		check(t, "sensitive", cfg.Outputs[2].Sensitive, true)
	})
	t.Run("without known values apply-time attributes are unknown", func(t *testing.T) {
		out, diags := cfg.EvalOutputs(nil)
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		if out["ids"].IsWhollyKnown() {
			t.Errorf("ids = %#v, want unknown ids", out["ids"])
		}
		check(t, "static", out["static"], cty.StringVal("prod-2"))
		if got := out["logs"].GetAttr("size"); !got.RawEquals(cty.NumberIntVal(5)) {
			t.Errorf("configured size = %#v", got)
		}
	})
	t.Run("known values are merged over the configured attributes, also through locals", func(t *testing.T) {
		known := map[string]map[string]cty.Value{
			"volume.data[0]": {"id": cty.StringVal("vol-0")},
			"volume.data[1]": {"id": cty.StringVal("vol-1")},
			"volume.logs":    {"id": cty.StringVal("vol-logs"), "size": cty.NumberIntVal(6), "status": cty.StringVal("available")},
			"snapshot.logs":  {"size": cty.NumberIntVal(6)},
		}
		out, diags := cfg.EvalOutputs(known)
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		check(t, "ids", out["ids"], cty.TupleVal([]cty.Value{cty.StringVal("vol-0"), cty.StringVal("vol-1")}))
		check(t, "logs", out["logs"], cty.ObjectVal(map[string]cty.Value{
			"id": cty.StringVal("vol-logs"), "size": cty.NumberIntVal(6), "status": cty.StringVal("available"),
		}))
		check(t, "snapshot size", out["snapshot_size"], cty.NumberIntVal(6))
	})
	t.Run("partly known values leave the rest unknown", func(t *testing.T) {
		out, _ := cfg.EvalOutputs(map[string]map[string]cty.Value{"volume.logs": {"id": cty.StringVal("x")}})
		logs := out["logs"]
		check(t, "id", logs.GetAttr("id"), cty.StringVal("x"))
		if logs.GetAttr("status").IsKnown() {
			t.Error("status should stay unknown")
		}
	})
	t.Run("a config that failed to load has no outputs", func(t *testing.T) {
		bad, _ := LoadSources(".", map[string][]byte{"main.hcl": []byte(`volume "x" {}`)}, LoadOptions{})
		if _, diags := bad.EvalOutputs(nil); !diags.HasErrors() {
			t.Error("want an error")
		}
	})
}

func TestFunctions(t *testing.T) {
	cfg := loadValid(t, "functions", LoadOptions{})
	out, diags := cfg.EvalOutputs(nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	strs := func(ss ...string) cty.Value {
		vals := make([]cty.Value, len(ss))
		for i, s := range ss {
			vals[i] = cty.StringVal(s)
		}
		return cty.TupleVal(vals)
	}
	list := func(ss ...string) cty.Value {
		vals := make([]cty.Value, len(ss))
		for i, s := range ss {
			vals[i] = cty.StringVal(s)
		}
		return cty.ListVal(vals)
	}
	num := func(n int64) cty.Value { return cty.NumberIntVal(n) }
	tests := []struct {
		name string
		got  cty.Value
		want cty.Value
	}{
		{"numeric functions", out["numeric"], cty.TupleVal([]cty.Value{num(3), num(2), num(1), num(5), num(2), num(1024), num(-1), num(255)})},
		{"chomp", out["strings"].GetAttr("chomp"), cty.StringVal("line")},
		{"format pads numbers", out["strings"].GetAttr("format"), cty.StringVal("vol-007")},
		{"formatlist", out["strings"].GetAttr("formatlist"), list("vol-a", "vol-b")},
		{"indent", out["strings"].GetAttr("indent"), cty.StringVal("a\n  b")},
		{"join", out["strings"].GetAttr("join"), cty.StringVal("a,b")},
		{"lower and upper", cty.TupleVal([]cty.Value{out["strings"].GetAttr("lower"), out["strings"].GetAttr("upper")}), strs("abc", "ABC")},
		{"regex", out["strings"].GetAttr("regex"), cty.StringVal("42")},
		{"regexall", out["strings"].GetAttr("regexall"), list("1", "2")},
		{"replace with a string", out["strings"].GetAttr("replace"), cty.StringVal("a_b_c")},
		{"replace with a /regex/, as in Terraform", out["strings"].GetAttr("replace_re"), cty.StringVal("volN")},
		{"split", out["strings"].GetAttr("split"), list("a", "b")},
		{"strrev", out["strings"].GetAttr("strrev"), cty.StringVal("cba")},
		{"substr", out["strings"].GetAttr("substr"), cty.StringVal("bcd")},
		{"title", out["strings"].GetAttr("title"), cty.StringVal("Hello World")},
		{"trim functions", cty.TupleVal([]cty.Value{
			out["strings"].GetAttr("trim"), out["strings"].GetAttr("trimprefix"),
			out["strings"].GetAttr("trimsuffix"), out["strings"].GetAttr("trimspace"),
		}), strs("x", "a", "a", "x")},
		{"chunklist", out["collections"].GetAttr("chunklist"), cty.ListVal([]cty.Value{list("a", "b"), list("c")})},
		{"coalesce", out["collections"].GetAttr("coalesce"), cty.StringVal("x")},
		{"compact", out["collections"].GetAttr("compact"), list("a", "b")},
		{"concat", out["collections"].GetAttr("concat"), strs("a", "b")},
		{"contains", out["collections"].GetAttr("contains"), cty.True},
		{"distinct", out["collections"].GetAttr("distinct"), list("db", "web", "cache")},
		{"element", out["collections"].GetAttr("element"), cty.StringVal("web")},
		{"flatten", out["collections"].GetAttr("flatten"), strs("a", "b", "c")},
		{"keys are sorted", out["collections"].GetAttr("keys"), strs("a", "b")},
		{"length of a list", out["collections"].GetAttr("length_list"), num(4)},
		{"length of a string counts characters", out["collections"].GetAttr("length_string"), num(5)},
		{"length of an object counts attributes", out["collections"].GetAttr("length_object"), num(2)},
		{"lookup with a default", out["collections"].GetAttr("lookup"), cty.StringVal("default")},
		{"merge", out["collections"].GetAttr("merge"), cty.ObjectVal(map[string]cty.Value{"a": num(1), "b": num(2)})},
		{"range", out["collections"].GetAttr("range"), cty.ListVal([]cty.Value{num(0), num(1), num(2)})},
		{"reverse", out["collections"].GetAttr("reverse"), strs("b", "a")},
		{"setintersection", out["collections"].GetAttr("setintersection"), cty.SetVal([]cty.Value{cty.StringVal("b")})},
		{"setsubtract", out["collections"].GetAttr("setsubtract"), cty.SetVal([]cty.Value{cty.StringVal("b")})},
		{"setunion", out["collections"].GetAttr("setunion"), cty.SetVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")})},
		{"slice", out["collections"].GetAttr("slice"), strs("b", "c")},
		{"sort", out["collections"].GetAttr("sort"), list("a", "b")},
		{"zipmap", out["collections"].GetAttr("zipmap"), cty.ObjectVal(map[string]cty.Value{"a": num(1), "b": num(2)})},
		{"jsonencode", out["encoding"].GetAttr("jsonencode"), cty.StringVal(`{"a":1}`)},
		{"jsondecode", out["encoding"].GetAttr("jsondecode"), cty.StringVal("storage")},
		{"csvdecode", out["encoding"].GetAttr("csvdecode"), cty.StringVal("20")},
		{"tostring", out["conversion"].GetAttr("tostring"), cty.StringVal("5")},
		{"tonumber", out["conversion"].GetAttr("tonumber"), num(5)},
		{"tobool", out["conversion"].GetAttr("tobool"), cty.True},
		{"tolist", out["conversion"].GetAttr("tolist"), list("a", "b")},
		{"toset removes duplicates", out["conversion"].GetAttr("toset"), cty.SetVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")})},
		{"tomap", out["conversion"].GetAttr("tomap"), cty.MapVal(map[string]cty.Value{"a": cty.StringVal("x")})},
		{"try falls back", out["conversion"].GetAttr("try"), cty.StringVal("fallback")},
		{"can", out["conversion"].GetAttr("can"), cty.False},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.got.RawEquals(tt.want) {
				t.Errorf("got %#v\nwant %#v", tt.got, tt.want)
			}
		})
	}
	t.Run("setproduct and coalescelist", func(t *testing.T) {
		if n := out["collections"].GetAttr("setproduct").LengthInt(); n != 2 {
			t.Errorf("setproduct has %d elements", n)
		}
		if n := out["collections"].GetAttr("coalescelist").LengthInt(); n != 1 {
			t.Errorf("coalescelist has %d elements", n)
		}
	})
	t.Run("function results feed resource arguments", func(t *testing.T) {
		check(t, "size", volumeByAddr(t, cfg, "volume.sized").Size, 12)
	})
	t.Run("every function a Terraform user expects is there", func(t *testing.T) {
		for _, name := range []string{"abs", "ceil", "floor", "max", "min", "pow", "signum", "parseint",
			"chomp", "format", "formatlist", "indent", "join", "lower", "upper", "regex", "regexall", "replace",
			"split", "strrev", "substr", "title", "trim", "trimprefix", "trimsuffix", "trimspace",
			"chunklist", "coalesce", "coalescelist", "compact", "concat", "contains", "distinct", "element",
			"flatten", "keys", "length", "lookup", "merge", "range", "reverse", "setintersection", "setproduct",
			"setsubtract", "setunion", "slice", "sort", "values", "zipmap", "jsonencode", "jsondecode",
			"csvdecode", "tostring", "tonumber", "tobool", "tolist", "toset", "tomap"} {
			if _, ok := functions()[name]; !ok {
				t.Errorf("missing %s", name)
			}
		}
	})
}

func TestMultipleFiles(t *testing.T) {
	cfg := loadValid(t, "multi-file", LoadOptions{})
	t.Run("only *.hcl files directly in the directory are read, dot-files skipped", func(t *testing.T) {
		names := make([]string, 0, len(cfg.Files))
		for n := range cfg.Files {
			names = append(names, n)
		}
		slices.Sort(names)
		check(t, "files", names, []string{"backends.hcl", "volumes.hcl"})
		check(t, "volumes", addresses(cfg.Volumes, func(v *Volume) string { return v.Address }), []string{"volume.db"})
	})
	t.Run("ranges carry the base name of the file", func(t *testing.T) {
		check(t, "file", cfg.Volumes[0].DeclRange.Filename, "volumes.hcl")
	})
	t.Run("the stack defaults to default", func(t *testing.T) {
		check(t, "stack", cfg.Settings.Stack, "default")
	})
}

func TestLoadRefusesAnEmptyDirectory(t *testing.T) {
	cfg, diags := Load(t.TempDir(), LoadOptions{})
	if !diags.HasErrors() || diags[0].Summary != "No configuration files" {
		t.Errorf("got %v", diags)
	}
	if cfg == nil || cfg.Files == nil {
		t.Error("want a Config with an empty Files map")
	}
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBackupBlocksDecode(t *testing.T) {
	cfg := loadValid(t, "backups", LoadOptions{})
	if len(cfg.BackupRepositories) != 2 || len(cfg.Backups) != 1 || len(cfg.BackupPolicies) != 1 {
		t.Fatalf("got %d repositories, %d backups, %d policies; want 2, 1, 1",
			len(cfg.BackupRepositories), len(cfg.Backups), len(cfg.BackupPolicies))
	}
	nas, archive := cfg.BackupRepositories[1], cfg.BackupRepositories[0]
	if nas.Name != "nas" {
		nas, archive = archive, nas
	}
	check(t, "nas path", nas.Path, filepath.Join(cfg.Dir, "backups"))
	check(t, "nas compression (default)", nas.Compression, "zstd")
	check(t, "nas chunk size", nas.ChunkSize, int64(4<<20))
	check(t, "archive compression", archive.Compression, "gzip")
	check(t, "archive chunk size", archive.ChunkSize, int64(65536))

	b := cfg.Backups[0]
	check(t, "backup volume", b.Volume, `volume.db["a"]`)
	check(t, "backup repository", b.Repository, "backup_repository.nas")
	check(t, "backup incremental", b.Incremental, true)
	check(t, "backup depends on", b.DependsOn, []string{"backup_repository.nas", `volume.db["a"]`})

	p := cfg.BackupPolicies[0]
	check(t, "policy volumes", p.Volumes, []string{`volume.db["a"]`, `volume.db["b"]`})
	check(t, "policy every", p.Every, 24*time.Hour)
	check(t, "policy keep", p.Keep, 7)

	r := volumeByAddr(t, cfg, "volume.restored")
	check(t, "restore source", r.Source, VolumeSource{Kind: "backup", Address: "backup.weekly"})
	check(t, "restore depends on the backup", slices.Contains(r.DependsOn, "backup.weekly"), true)

	app := volumeByAddr(t, cfg, "volume.app")
	check(t, "revert_to", app.RevertTo, "snapshot.before-upgrade")
	check(t, "revert_to is no dependency", len(app.DependsOn), 0)
}

func TestParseDurationAcceptsDaysAndWeeks(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"24h", 24 * time.Hour, true},
		{"90m", 90 * time.Minute, true},
		{"7d", 7 * 24 * time.Hour, true},
		{"2w", 14 * 24 * time.Hour, true},
		{"1h30m", 90 * time.Minute, true},
		{"30s", 0, false},
		{"d", 0, false},
		{"daily", 0, false},
		{"-1h", 0, false},
	} {
		got, err := ParseDuration(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
