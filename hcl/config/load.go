package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// loader carries one Load from files to Config.
type loader struct {
	opts  LoadOptions
	cfg   *Config
	diags hcl.Diagnostics

	vars    map[string]*variableDecl
	varList []*variableDecl
	varObj  cty.Value

	locals  map[string]*node
	blocks  map[string]*node   // by block address, "volume.db"
	byKind  map[string][]*node // declared blocks per kind, in order
	outputs map[string]*node
	nodes   []*node // locals, blocks and outputs in declaration order
	order   []*node // evaluation order (dependencies first)

	instances map[string]*instance // by instance address
	ctxCache  map[string]*hcl.EvalContext
	// pending, in a worker's copy of the loader, collects the instances it
	// made, registered once its level is done (see parallel.go).
	pending   *[]*instance
	slabRange *hcl.Range

	importBlocks []*hclsyntax.Block
}

// Load reads every *.hcl file directly in dir (sorted by name; dot-files
// and sub-directories are ignored) and returns the typed configuration.
// The Config is never nil: on errors it is partial, but Files is complete
// so that WriteDiagnostics can show the source.
func Load(dir string, opts LoadOptions) (*Config, hcl.Diagnostics) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return &Config{Dir: dir, Files: map[string]*hcl.File{}}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read the configuration directory",
			Detail:   fmt.Sprintf("%s. Run slab in the directory that holds your *.hcl files, or point -chdir at it.", err),
		}}
	}
	files := map[string][]byte{}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".hcl") {
			continue
		}
		full := filepath.Join(dir, name)
		if st, err := os.Stat(full); err != nil || st.IsDir() {
			continue
		}
		src, err := os.ReadFile(full)
		if err != nil {
			return &Config{Dir: dir, Files: map[string]*hcl.File{}}, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Cannot read a configuration file",
				Detail:   fmt.Sprintf("%s. Check the file's permissions.", err),
			}}
		}
		files[name] = src
	}
	if len(files) == 0 {
		// An empty configuration would plan the destruction of everything.
		return &Config{Dir: dir, Files: map[string]*hcl.File{}}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No configuration files",
			Detail:   fmt.Sprintf("slab reads every *.hcl file in %s, and there is none. Run slab in the directory that holds your configuration, or point -chdir at it.", dir),
		}}
	}
	return LoadSources(dir, files, opts)
}

// LoadSources is Load on files already read: the keys are file names as
// they should appear in diagnostics (base names), the values their source.
// Every entry is parsed, whatever its name.
func LoadSources(dir string, files map[string][]byte, opts LoadOptions) (*Config, hcl.Diagnostics) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	cfg := &Config{
		Dir:       abs,
		Settings:  Settings{Stack: "default"},
		Variables: map[string]cty.Value{},
		Files:     map[string]*hcl.File{},
	}
	l := &loader{
		opts:      opts,
		cfg:       cfg,
		vars:      map[string]*variableDecl{},
		locals:    map[string]*node{},
		blocks:    map[string]*node{},
		byKind:    map[string][]*node{},
		outputs:   map[string]*node{},
		instances: map[string]*instance{},
		ctxCache:  map[string]*hcl.EvalContext{},
	}

	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	srcs := make([][]byte, len(names))
	for i, name := range names {
		srcs[i] = files[name]
	}
	parsed, d := parseFiles(names, srcs)
	l.diags = append(l.diags, d...)
	bodies := make([]*hclsyntax.Body, 0, len(names))
	for i, f := range parsed {
		cfg.Files[names[i]] = f
		if body, ok := f.Body.(*hclsyntax.Body); ok {
			bodies = append(bodies, body)
		}
	}
	// A file that does not parse yields a partial body; evaluating it would
	// only add confusing follow-on errors.
	if l.diags.HasErrors() {
		return cfg, finishDiags(l.diags)
	}

	if opts.SettingsOnly {
		for _, body := range bodies {
			for _, b := range body.Blocks {
				if b.Type == "slab" {
					l.declSlab(b)
				}
			}
		}
		return cfg, finishDiags(l.diags)
	}
	for _, body := range bodies {
		l.declareFile(body)
	}
	l.resolveVariables()
	l.collectRefs()
	l.sortGraph()
	l.evaluate()
	l.checkRevertTo()
	l.assemble()
	l.assembleImports()
	if !l.diags.HasErrors() {
		cfg.outputCtx = l.outputScope()
	}
	l.scrubSecrets(l.diags)
	return cfg, finishDiags(l.diags)
}

// declareFile registers every top-level block of one file.
func (l *loader) declareFile(body *hclsyntax.Body) {
	for _, a := range sortedAttrs(body) {
		l.diags = append(l.diags, newDiag(a.NameRange, "Unsupported argument",
			fmt.Sprintf("An argument named %q is not expected at the top level of a configuration file: arguments belong inside a block. If this file holds variable values, give it another extension (for example prod.slabvars) and pass it with -var-file.", a.Name)))
	}
	for _, b := range body.Blocks {
		switch b.Type {
		case "slab":
			l.declSlab(b)
		case "variable":
			l.declVariable(b)
		case "locals":
			l.declLocals(b)
		case "output":
			l.declOutput(b)
		case "backend", "qos", "volume_type", "volume", "snapshot", "backup_repository", "backup", "backup_policy":
			l.declBlock(b)
		case "import":
			l.declImport(b)
		default:
			detail := fmt.Sprintf("Blocks of type %q are not expected in a configuration file.", b.Type)
			if laterBlocks[b.Type] {
				detail += fmt.Sprintf(" %s blocks are not supported by this version of slab yet; remove the block.", b.Type)
			} else {
				detail += didYouMean(b.Type, topLevelBlocks) + " " + validList("block types", topLevelBlocks)
			}
			l.diags = append(l.diags, newDiag(b.TypeRange, "Unsupported block type", detail))
		}
	}
}

func (l *loader) declSlab(b *hclsyntax.Block) {
	if l.slabRange != nil {
		l.diags = append(l.diags, newDiag(b.TypeRange, "Duplicate slab block",
			fmt.Sprintf("A configuration has at most one slab block; the first is at %s. Merge the settings into that block.", pos(*l.slabRange))))
		return
	}
	r := b.DefRange()
	l.slabRange = &r
	l.cfg.Settings.Range = r
	if !l.checkLabels(b, 0) || !l.checkBody(b.Body, schemaSlab, r) {
		return
	}
	// Settings are read before anything is evaluated: no references.
	ev := &attrEval{l: l, body: b.Body, ctx: constContext(), ok: true}
	if stack := ev.str("stack", "default"); ev.ok {
		l.cfg.Settings.Stack = stack
		if a := b.Body.Attributes["stack"]; a != nil {
			l.checkName(stack, "stack", a.Expr.Range())
		}
	}
	l.cfg.Settings.State = ev.str("state", "")
	for _, nb := range b.Body.Blocks {
		if nb.Type == "scheduler" {
			l.declScheduler(nb)
		}
	}
	for _, nb := range b.Body.Blocks {
		if nb.Type == "quota" && !l.checkQuota(nb) {
			return
		}
	}
	if q := ev.quota(b.Body); ev.ok {
		l.cfg.Settings.Quota = q
	}
}

func (l *loader) declLocals(b *hclsyntax.Block) {
	l.checkLabels(b, 0)
	for _, nb := range b.Body.Blocks {
		l.diags = append(l.diags, newDiag(nb.TypeRange, "Unsupported block type",
			fmt.Sprintf("A locals block holds only name = value arguments, not %s blocks. Write %s = { ... } instead.", nb.Type, nb.Type)))
	}
	for _, a := range sortedAttrs(b.Body) {
		if first, dup := l.locals[a.Name]; dup {
			l.diags = append(l.diags, newDiag(a.NameRange, "Duplicate local value",
				fmt.Sprintf("A local value named %q was already defined at %s. Local names are shared by all locals blocks; rename one of them.", a.Name, pos(first.rng))))
			continue
		}
		n := &node{typ: nodeLocal, id: "local." + a.Name, kind: "local", name: a.Name, rng: a.NameRange, expr: a.Expr}
		l.locals[a.Name] = n
		l.addNode(n)
	}
}

func (l *loader) declOutput(b *hclsyntax.Block) {
	if !l.checkLabels(b, 1) {
		return
	}
	name := b.Labels[0]
	okName := l.checkName(name, "output", b.LabelRanges[0])
	if first, dup := l.outputs[name]; dup {
		l.diags = append(l.diags, newDiag(b.LabelRanges[0], "Duplicate output",
			fmt.Sprintf("An output named %q was already declared at %s. Rename one of them.", name, pos(first.rng))))
		return
	}
	n := &node{typ: nodeOutput, id: "output." + name, kind: "output", name: name, rng: b.DefRange(), block: b}
	n.failed = !l.checkBody(b.Body, schemaOutput, n.rng) || !okName
	l.outputs[name] = n
	l.addNode(n)
}

// declBlock registers a resource-like block and checks its static shape.
func (l *loader) declBlock(b *hclsyntax.Block) {
	if !l.checkLabels(b, 1) {
		return
	}
	name := b.Labels[0]
	okName := l.checkName(name, b.Type, b.LabelRanges[0])
	id := b.Type + "." + name
	if first, dup := l.blocks[id]; dup {
		l.diags = append(l.diags, newDiag(b.LabelRanges[0], fmt.Sprintf("Duplicate %s block", b.Type),
			fmt.Sprintf("A %s block named %q was already declared at %s. Names must be unique within a block type; rename one of them.", b.Type, name, pos(first.rng))))
		return
	}
	n := &node{typ: nodeBlock, id: id, kind: b.Type, name: name, rng: b.DefRange(), block: b}
	l.blocks[id] = n
	l.byKind[b.Type] = append(l.byKind[b.Type], n)
	l.addNode(n)

	ok := l.checkBody(b.Body, resourceSchemas[b.Type], n.rng) && okName
	switch {
	case b.Body.Attributes["count"] != nil:
		n.mode = modeCount
	case b.Body.Attributes["for_each"] != nil:
		n.mode = modeForEach
	}
	pools := map[string]hcl.Range{}
	for _, nb := range b.Body.Blocks {
		switch nb.Type {
		case "quota":
			ok = l.checkQuota(nb) && ok
		case "lifecycle":
			ok = l.checkBody(nb.Body, schemaLifecycle, nb.DefRange()) && ok
			if a := nb.Body.Attributes["ignore_changes"]; a != nil {
				ic, good := l.parseIgnoreChanges(a, b.Type)
				n.ignoreChanges, ok = ic, ok && good
			}
			if a := nb.Body.Attributes["replace_triggered_by"]; a != nil {
				ok = l.parseReplaceTriggers(n, a) && ok
			}
		case "pool":
			if len(nb.Labels) != 1 {
				ok = false
				continue
			}
			pname := nb.Labels[0]
			ok = l.checkName(pname, "pool", nb.LabelRanges[0]) && ok
			if first, dup := pools[pname]; dup {
				l.diags = append(l.diags, newDiag(nb.LabelRanges[0], "Duplicate pool block",
					fmt.Sprintf("Backend %q already has a pool named %q, declared at %s. Pool names must be unique within a backend; rename one of them.", name, pname, pos(first))))
				ok = false
				continue
			}
			pools[pname] = nb.DefRange()
			ok = l.checkBody(nb.Body, schemaPool, nb.DefRange()) && ok
		}
	}
	if b.Type == "backend" && len(pools) == 0 && ok {
		l.diags = append(l.diags, newDiag(n.rng, "Missing pool",
			fmt.Sprintf("Backend %q has no pool. A backend needs at least one pool block, for example pool \"main\" { path = \"/srv/slab/main\" }.", name)))
		ok = false
	}
	n.failed = !ok
}

func (l *loader) addNode(n *node) {
	n.order = len(l.nodes)
	l.nodes = append(l.nodes, n)
}

// assemble fills the Config's slices in declaration order.
func (l *loader) assemble() {
	cfg := l.cfg
	for _, n := range l.nodes {
		if n.typ == nodeOutput && n.output != nil {
			cfg.Outputs = append(cfg.Outputs, n.output)
		}
		if n.typ != nodeBlock || n.failed {
			continue
		}
		for _, inst := range n.instances {
			switch t := inst.typed.(type) {
			case *Backend:
				cfg.Backends = append(cfg.Backends, t)
			case *QoS:
				cfg.QoS = append(cfg.QoS, t)
			case *VolumeType:
				cfg.VolumeTypes = append(cfg.VolumeTypes, t)
			case *Volume:
				cfg.Volumes = append(cfg.Volumes, t)
			case *Snapshot:
				cfg.Snapshots = append(cfg.Snapshots, t)
			case *BackupRepository:
				cfg.BackupRepositories = append(cfg.BackupRepositories, t)
			case *Backup:
				cfg.Backups = append(cfg.Backups, t)
			case *BackupPolicy:
				cfg.BackupPolicies = append(cfg.BackupPolicies, t)
			}
		}
	}
}
