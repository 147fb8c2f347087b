package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Config is a whole working directory's configuration, validated and with
// count / for_each expanded into instances. Every slice is in a stable order
// (file name, then position in the file, then instance key).
type Config struct {
	// Dir is the configuration directory, made absolute.
	Dir      string
	Settings Settings

	Backends    []*Backend
	QoS         []*QoS
	VolumeTypes []*VolumeType
	Volumes     []*Volume
	Snapshots   []*Snapshot
	Outputs     []*Output
	// Imports are the import blocks, resolved to instance addresses.
	Imports []*Import

	BackupRepositories []*BackupRepository
	Backups            []*Backup
	BackupPolicies     []*BackupPolicy

	// Variables holds the final value of every declared variable.
	Variables map[string]cty.Value
	// VariableDecls describes every declared variable, in declaration order,
	// so that views can hide sensitive values and say where a value came from.
	VariableDecls []*Variable

	// Files holds the parsed source of every file, for diagnostics views
	// that print the offending line.
	Files map[string]*hcl.File

	// outputCtx evaluates outputs once objects are known (see EvalOutputs).
	// It is nil when Load reported errors.
	outputCtx *outputScope
}

// Variable is a `variable` block.
type Variable struct {
	Name        string
	Description string
	Type        cty.Type // cty.DynamicPseudoType when no type was declared
	Sensitive   bool
	// Source says where the final value came from: "default", "env",
	// "var-file", or "cli".
	Source    string
	DeclRange hcl.Range
}

// Settings is the `slab` block.
type Settings struct {
	Stack string // default "default"
	State string // "" means sqlite at .slab/state.db
	// Scheduler is the `scheduler` block, nil when absent (Cinder's
	// defaults).
	Scheduler *Scheduler
	// Quota limits what the stack may hold; nil when unlimited.
	Quota *Quota
	Range hcl.Range
}

// Scheduler is the `slab { scheduler { … } }` block. A nil Filters or
// Weighers means Cinder's default for it.
type Scheduler struct {
	Filters  []string           // in the order they run
	Weighers map[string]float64 // name → multiplier
	Range    hcl.Range
}

// Common is what every resource-like block instance carries.
type Common struct {
	// Address is the instance address: `volume.db["a"]`, `volume.x[0]`,
	// `volume_type.gold`.
	Address string
	Kind    string // "volume", "snapshot", "volume_type", "qos", "backend", "backup", …
	Name    string // the block label
	// Key is the instance key: cty.NilVal without count/for_each, a Number
	// with count, a String with for_each.
	Key cty.Value
	// DependsOn lists the addresses this instance depends on: every object
	// its expressions reference plus depends_on, expanded to instances.
	DependsOn []string
	// DeclRange is the block header; AttrRanges the range of every attribute
	// that was set, by name (nested: "source.snapshot"), for diagnostics
	// raised later by the planner. Ranges are those of the value expression;
	// instances of one block share the same map, so treat it as read-only.
	DeclRange  hcl.Range
	AttrRanges map[string]hcl.Range
	// Sensitive names the arguments whose values derive from sensitive
	// variables: plans, JSON and logs never show their values.
	Sensitive []string
}

// Range returns the attribute's range, or the block's when it was not set.
func (c *Common) Range(attr string) hcl.Range {
	if r, ok := c.AttrRanges[attr]; ok {
		return r
	}
	return c.DeclRange
}

// Lifecycle is the `lifecycle` block.
type Lifecycle struct {
	PreventDestroy      bool
	CreateBeforeDestroy bool
	IgnoreChanges       []string // attribute names, e.g. "metadata", "size"
	// ReplaceTriggeredBy lists instance addresses, or an instance address
	// and one of its attributes ("volume.a.size"), whose planned change
	// replaces this object.
	ReplaceTriggeredBy []string
}

// Backend is a `backend` block: a driver and its pools.
type Backend struct {
	Common
	Driver           string
	AvailabilityZone string // default "nova", as Cinder's storage_availability_zone
	Options          map[string]string
	Pools            []*Pool
}

// Pool is a `pool` block nested in a backend.
type Pool struct {
	Name                     string // label
	Backend                  string // backend label
	Path                     string // made absolute against Config.Dir
	MaxOverSubscriptionRatio string // "" (driver default 20.0), a number, or "auto"
	ReservedPercentage       int    // 0..100
	Capabilities             map[string]any
	DeclRange                hcl.Range
}

// FullName is "backend#pool".
func (p *Pool) FullName() string { return p.Backend + "#" + p.Name }

// QoS is a `qos` block.
type QoS struct {
	Common
	Consumer string            // front-end, back-end (default), both
	Specs    map[string]string // values rendered as strings, as Cinder stores them
}

// VolumeType is a `volume_type` block.
type VolumeType struct {
	Common
	Description string
	// ExtraSpecs values are strings as Cinder stores them: numbers without
	// exponent ("10"), bools as "True"/"False".
	ExtraSpecs map[string]string
	QoS        string // address of a qos block, or ""
	// Quota limits the stack's volumes of this type; nil when unlimited.
	Quota *Quota
}

// VolumeSource is a volume's `source` attribute.
type VolumeSource struct {
	Kind    string // "", "snapshot", "volume", "backup"
	Address string // address of the source object
}

// Volume is a `volume` block instance.
type Volume struct {
	Common
	Size             int    // GiB, ≥ 1
	Type             string // address of a volume_type, or "" for the default type
	AvailabilityZone string
	Description      string
	Metadata         map[string]string
	Source           VolumeSource
	// SchedulerHints is kept raw; the scheduler interprets it. Values may
	// be unknown (an id known only after apply) or instance objects, whose
	// "address" attribute names the instance.
	SchedulerHints map[string]cty.Value
	// RevertTo is the address of a snapshot of this volume to revert to,
	// or "". It is not a dependency: the snapshot depends on the volume.
	RevertTo  string
	Lifecycle Lifecycle
}

// Snapshot is a `snapshot` block instance.
type Snapshot struct {
	Common
	Volume      string // address of the volume
	Description string
	Metadata    map[string]string
	Lifecycle   Lifecycle
}

// Output is an `output` block; its value is evaluated after planning or
// applying with EvalOutputs, since it may read attributes known only then.
type Output struct {
	Name        string
	Description string
	Sensitive   bool
	Expr        hcl.Expression
	DeclRange   hcl.Range
}

// LoadOptions are the inputs beyond the files themselves.
type LoadOptions struct {
	// Vars are -var name=value pairs, in command-line order.
	Vars []string
	// VarFiles are -var-file paths, in command-line order.
	VarFiles []string
	// Environ is the environment to read SLAB_VAR_name from (os.Environ()).
	// Nil means no environment variables are read.
	Environ []string
	// KnownDrivers, when non-empty, lists the accepted backend drivers;
	// hcl does not import drivers/, so the caller passes their names.
	KnownDrivers []string
	// KnownFilters and KnownWeighers, when non-empty, list the accepted
	// scheduler filter and weigher names.
	KnownFilters  []string
	KnownWeighers []string
	// SettingsOnly reads just the slab block (stack, state location): what
	// applying a saved plan or reading the state needs, without variables.
	SettingsOnly bool
}
