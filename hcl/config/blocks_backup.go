package config

import (
	"fmt"
	"math/big"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

func (l *loader) decodeBackupRepository(a *attrEval, inst *instance, base Common) {
	r := &BackupRepository{Common: base, Compression: "zstd", ChunkSize: DefaultChunkSize}
	inst.typed, inst.common = r, &r.Common

	r.Driver = a.str("driver", "")
	if attr := a.body.Attributes["driver"]; attr != nil && a.ok && !slices.Contains(BackupRepositoryDrivers, r.Driver) {
		a.fail(attr.Expr.Range(), "Unknown backup repository driver", fmt.Sprintf(
			"No backup repository driver is named %q.%s Available drivers: %s (a directory, such as an NFS mount).",
			r.Driver, didYouMean(r.Driver, BackupRepositoryDrivers), quotedList(BackupRepositoryDrivers)))
	}
	r.Path = a.str("path", "")
	if attr := a.body.Attributes["path"]; attr != nil && a.ok {
		if r.Path == "" {
			a.fail(attr.Expr.Range(), "Invalid repository path", `path must name the repository's directory, for example path = "/srv/backups".`)
		} else {
			if !filepath.IsAbs(r.Path) {
				r.Path = filepath.Join(l.cfg.Dir, r.Path)
			}
			r.Path = filepath.Clean(r.Path)
		}
	}
	if c := a.str("compression", "zstd"); a.body.Attributes["compression"] != nil && a.ok {
		if !slices.Contains(BackupCompressions, c) {
			a.fail(a.body.Attributes["compression"].Expr.Range(), "Invalid compression", fmt.Sprintf(
				"compression must be \"zstd\" (the default: fast, good ratio), \"gzip\" or \"none\"; got %q.%s", c, didYouMean(c, BackupCompressions)))
		} else {
			r.Compression = c
		}
	}
	if n, ok := a.byteSize("chunk_size"); ok {
		r.ChunkSize = n
	}
	inst.mkAttrs = func() map[string]cty.Value {
		return map[string]cty.Value{
			"id":          cty.StringVal(r.Address),
			"driver":      cty.StringVal(r.Driver),
			"path":        cty.StringVal(r.Path),
			"compression": cty.StringVal(r.Compression),
			"chunk_size":  cty.NumberIntVal(r.ChunkSize),
		}
	}
}

var sizePattern = regexp.MustCompile(`^\s*([0-9]+)\s*([KMG]iB)?\s*$`)

// byteSize reads a size in bytes: a whole number, or a string such as
// "64MiB", "512KiB" or "1GiB". It must be a multiple of the 32 KiB hash
// block, since a chunk holds whole blocks.
func (a *attrEval) byteSize(name string) (int64, bool) {
	v, attr, ok := a.value(name)
	if !ok || !a.known(v, attr) {
		return 0, false
	}
	const rule = `a size in bytes that is a multiple of 32 KiB, at most 1 GiB, written as a number or with a unit: "64MiB", "512KiB", "1GiB"`
	var n int64
	switch v.Type() {
	case cty.Number:
		bf := v.AsBigFloat()
		i, acc := bf.Int64()
		if !bf.IsInt() || acc != big.Exact {
			a.fail(attr.Expr.Range(), "Invalid "+name, fmt.Sprintf("%s must be %s; got %s.", name, rule, bf.Text('f', -1)))
			return 0, false
		}
		n = i
	case cty.String:
		m := sizePattern.FindStringSubmatch(v.AsString())
		if m == nil {
			a.fail(attr.Expr.Range(), "Invalid "+name, fmt.Sprintf("%s must be %s; got %q.", name, rule, v.AsString()))
			return 0, false
		}
		n, _ = strconv.ParseInt(m[1], 10, 64)
		switch m[2] {
		case "KiB":
			n <<= 10
		case "MiB":
			n <<= 20
		case "GiB":
			n <<= 30
		}
	default:
		a.fail(attr.Expr.Range(), "Incorrect attribute value type", fmt.Sprintf("%s must be %s, not %s.", name, rule, friendly(v)))
		return 0, false
	}
	if n <= 0 || n > MaxChunkSize || n%HashBlockSize != 0 {
		hint := ""
		if n > 0 && n <= MaxChunkSize {
			lo := n / HashBlockSize * HashBlockSize
			if lo == 0 {
				lo = HashBlockSize
			}
			hint = fmt.Sprintf(" The nearest valid size is %s.", humanBytes(lo))
		}
		a.fail(attr.Expr.Range(), "Invalid "+name, fmt.Sprintf("%s must be %s; got %d bytes.%s", name, rule, n, hint))
		return 0, false
	}
	return n, true
}

func humanBytes(n int64) string {
	switch {
	case n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return strconv.FormatInt(n, 10)
}

func (l *loader) decodeBackup(a *attrEval, inst *instance, base Common) {
	b := &Backup{Common: base}
	inst.typed, inst.common = b, &b.Common

	b.Volume = a.requiredRef("volume", "volume", "A backup copies one volume")
	b.Repository = a.requiredRef("repository", "backup_repository", "A backup is kept in a repository")
	b.Incremental = a.boolean("incremental")
	b.Description = a.str("description", "")

	inst.mkAttrs = func() map[string]cty.Value {
		return map[string]cty.Value{
			"id":          cty.UnknownVal(cty.String),
			"status":      cty.UnknownVal(cty.String),
			"size":        cty.UnknownVal(cty.Number),
			"volume":      cty.StringVal(b.Volume),
			"repository":  cty.StringVal(b.Repository),
			"incremental": cty.BoolVal(b.Incremental),
			"description": cty.StringVal(b.Description),
		}
	}
}

// requiredRef reads a reference that must not be null.
func (a *attrEval) requiredRef(name, kind, why string) string {
	attr := a.body.Attributes[name]
	if attr == nil {
		return "" // reported as a missing argument
	}
	addr := a.reference(name, kind, false)
	if addr == "" && a.ok {
		a.fail(attr.Expr.Range(), "Missing "+name, fmt.Sprintf(
			"%s, and %s is null. Set it, for example %s = %s.%s.", why, name, name, kind, a.l.exampleName(kind)))
	}
	return addr
}

func (l *loader) decodeBackupPolicy(a *attrEval, inst *instance, base Common) {
	p := &BackupPolicy{Common: base}
	inst.typed, inst.common = p, &p.Common

	p.Volumes = a.volumeList("volumes")
	p.Repository = a.requiredRef("repository", "backup_repository", "A backup policy keeps its backups in a repository")
	p.Every = a.duration("every")
	if k, ok := a.whole("keep", wholeRule{lo: 1, hi: 10000, summary: "Invalid keep",
		rule: "the number of backups to keep per volume, at least 1", example: "keep = 7"}); ok {
		p.Keep = int(k)
	}
	p.Incremental = a.boolean("incremental")

	inst.mkAttrs = func() map[string]cty.Value {
		vols := make([]cty.Value, len(p.Volumes))
		for i, v := range p.Volumes {
			vols[i] = cty.StringVal(v)
		}
		list := cty.ListValEmpty(cty.String)
		if len(vols) > 0 {
			list = cty.ListVal(vols)
		}
		return map[string]cty.Value{
			"id":          cty.StringVal(p.Address),
			"volumes":     list,
			"repository":  cty.StringVal(p.Repository),
			"every":       cty.StringVal(p.Every.String()),
			"keep":        cty.NumberIntVal(int64(p.Keep)),
			"incremental": cty.BoolVal(p.Incremental),
		}
	}
}

// volumeList reads a list of volume instances: [volume.a, volume.b],
// [for v in volume.db : v], or a whole collection such as volume.db.
func (a *attrEval) volumeList(name string) []string {
	v, attr, ok := a.value(name)
	delete(a.sensitive, name)
	if !ok {
		return nil
	}
	const hint = `volumes must be a list of volumes, for example volumes = [volume.db] or volumes = [for v in volume.db : v].`
	rng := attr.Expr.Range()
	if !v.IsKnown() {
		a.fail(rng, "Invalid volumes", hint)
		return nil
	}
	if _, isInst := instanceAddress(v); isInst {
		a.fail(rng, "Invalid volumes", "volumes is one volume, not a list. Write it in brackets: volumes = ["+a.srcText(rng)+"].")
		return nil
	}
	ty := v.Type()
	if !(ty.IsTupleType() || ty.IsListType() || ty.IsSetType() || ty.IsObjectType() || ty.IsMapType()) {
		a.fail(rng, "Invalid volumes", hint+fmt.Sprintf(" This is a %s.", friendly(v)))
		return nil
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		var addrs []string
		if addr, isInst := instanceAddress(ev); isInst {
			addrs = []string{addr}
		} else if ev.IsKnown() && !ev.IsNull() && (ev.Type().IsObjectType() || ev.Type().IsTupleType()) {
			// a whole collection inside the list: [volume.db]
			for it2 := ev.ElementIterator(); it2.Next(); {
				_, inner := it2.Element()
				if addr, isInst := instanceAddress(inner); isInst {
					addrs = append(addrs, addr)
				}
			}
		}
		if len(addrs) == 0 {
			a.fail(rng, "Invalid volumes", hint+fmt.Sprintf(" An element is a %s.", friendly(ev)))
			return nil
		}
		for _, addr := range addrs {
			if inst := a.l.instances[addr]; inst == nil || inst.node.kind != "volume" {
				a.fail(rng, "Invalid volumes", fmt.Sprintf("volumes may hold only volumes, but it holds %s. %s", addr, hint))
				return nil
			}
			out = append(out, addr)
		}
	}
	if len(out) == 0 {
		a.fail(rng, "Invalid volumes", "volumes is empty, so the policy would back up nothing. "+hint)
		return nil
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (a *attrEval) srcText(rng hcl.Range) string {
	if f := a.l.cfg.Files[rng.Filename]; f != nil && rng.End.Byte <= len(f.Bytes) {
		return string(f.Bytes[rng.Start.Byte:rng.End.Byte])
	}
	return "volume.NAME"
}

// duration reads a positive duration: Go's syntax ("24h", "90m") plus
// days and weeks ("7d", "2w").
func (a *attrEval) duration(name string) time.Duration {
	s := a.str(name, "")
	attr := a.body.Attributes[name]
	if attr == nil || !a.ok {
		return 0
	}
	d, err := ParseDuration(s)
	if err != nil {
		a.fail(attr.Expr.Range(), "Invalid "+name, fmt.Sprintf(
			`%s must be a duration of at least one minute such as "24h", "7d", "90m" or "1w"; %s.`, name, err))
		return 0
	}
	return d
}

// ParseDuration reads durations as backup_policy.every accepts them.
func ParseDuration(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	var d time.Duration
	var err error
	if n, unit := strings.TrimRight(t, "dw"), strings.TrimLeft(t, "0123456789"); (unit == "d" || unit == "w") && n != "" {
		var v int64
		v, err = strconv.ParseInt(n, 10, 32)
		mult := 24 * time.Hour
		if unit == "w" {
			mult *= 7
		}
		d = time.Duration(v) * mult
	} else {
		d, err = time.ParseDuration(t)
	}
	if err != nil {
		return 0, fmt.Errorf("got %q", s)
	}
	if d < time.Minute {
		return 0, fmt.Errorf("got %q, which is shorter than a minute", s)
	}
	return d, nil
}

// backupSource reads source = { backup = backup.x }.
func (a *attrEval) backupSource(ev cty.Value, rng hcl.Range) VolumeSource {
	addr := a.referenceValue(ev, "source.backup", "backup", rng)
	if addr == "" {
		return VolumeSource{}
	}
	return VolumeSource{Kind: "backup", Address: addr}
}

// revertTo reads revert_to = snapshot.x without evaluating it: the snapshot
// refers to this volume, so a dependency edge would be a cycle. The check
// that it is a snapshot of this volume runs once every block is evaluated
// (checkRevertTo).
func (a *attrEval) revertTo() (string, hcl.Range) {
	attr := a.body.Attributes["revert_to"]
	if attr == nil {
		return "", hcl.Range{}
	}
	rng := attr.Expr.Range()
	const hint = `revert_to must name a snapshot of this volume directly, for example revert_to = snapshot.before-upgrade or revert_to = snapshot.nightly["a"].`
	t, d := hcl.AbsTraversalForExpr(attr.Expr)
	if d.HasErrors() || t.RootName() != "snapshot" || len(t) < 2 || len(t) > 3 {
		a.fail(rng, "Invalid revert_to", hint)
		return "", rng
	}
	name, _ := t[1].(hcl.TraverseAttr)
	n := a.l.blocks["snapshot."+name.Name]
	if n == nil {
		var names []string
		for _, b := range a.l.byKind["snapshot"] {
			names = append(names, b.name)
		}
		a.fail(rng, "Invalid revert_to", fmt.Sprintf("No snapshot block is named %q.%s %s", name.Name, didYouMean(name.Name, names), hint))
		return "", rng
	}
	key := cty.NilVal
	if len(t) == 3 {
		ix, ok := t[2].(hcl.TraverseIndex)
		if !ok {
			a.fail(rng, "Invalid revert_to", hint)
			return "", rng
		}
		k, good := normalizeKey(n, ix.Key)
		if !good {
			a.fail(rng, "Invalid revert_to", fmt.Sprintf("%s has no instance %s. %s", n.id, traversalText(t), hint))
			return "", rng
		}
		key = k
	} else if n.mode != modeSingle {
		a.fail(rng, "Missing instance key", fmt.Sprintf("%s uses %s; pick one instance, for example revert_to = %s.", n.id, modeArg(n.mode), exampleInstance(n)))
		return "", rng
	}
	return instanceAddr(n.id, key), rng
}

// checkRevertTo verifies, once snapshots are evaluated, that each volume's
// revert_to names an existing snapshot of that same volume.
func (l *loader) checkRevertTo() {
	for _, n := range l.nodes {
		if n.typ != nodeBlock || n.kind != "volume" || n.failed {
			continue
		}
		for _, inst := range n.instances {
			v, ok := inst.typed.(*Volume)
			if !ok || v.RevertTo == "" {
				continue
			}
			rng := v.Range("revert_to")
			si := l.instances[v.RevertTo]
			if si == nil {
				if sn := l.blocks[strings.SplitN(v.RevertTo, "[", 2)[0]]; sn != nil && sn.failed {
					continue // reported at the snapshot
				}
				l.diags = append(l.diags, newDiag(rng, "Invalid revert_to",
					fmt.Sprintf("%s does not exist, so %s cannot be reverted to it. Name an existing snapshot of the volume.", v.RevertTo, v.Address)))
				continue
			}
			s, ok := si.typed.(*Snapshot)
			if ok && s.Volume != v.Address {
				l.diags = append(l.diags, newDiag(rng, "Invalid revert_to",
					fmt.Sprintf("%s is a snapshot of %s, not of %s. A volume can only be reverted to one of its own snapshots (its latest, as Cinder's revert).", v.RevertTo, s.Volume, v.Address)))
			}
		}
	}
}
