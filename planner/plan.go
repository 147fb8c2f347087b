package planner

import (
	"sort"
	"time"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/planner/schedule"
	"github.com/slab-storage/slab/providers"
)

// Action is what a change does to one object.
type Action string

const (
	NoOp   Action = "no-op"
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
	// Replace destroys the object, then creates it again (-/+).
	Replace Action = "replace"
	// CreateThenDelete creates the replacement first (+/-), for
	// lifecycle { create_before_destroy = true }.
	CreateThenDelete Action = "create-then-delete"
)

// Reason codes, named as Terraform's action_reason values where one exists.
const (
	ReasonNone               = ""
	ReasonCannotUpdate       = "replace_because_cannot_update"
	ReasonTainted            = "replace_because_tainted"
	ReasonRequested          = "replace_by_request"
	ReasonDependencyReplaced = "replace_because_dependency_replaced"
	ReasonNoResourceConfig   = "delete_because_no_resource_config"
	ReasonDeletedOutside     = "create_because_deleted_outside"
	ReasonDestroyRequested   = "delete_because_destroy_requested"
	ReasonCountIndex         = "delete_because_count_index"
	ReasonEachKey            = "delete_because_each_key"
	ReasonRecordedAfterCrash = "update_because_interrupted"
)

// Change is one planned change of one object.
type Change struct {
	Address string `json:"address"`
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Action  Action `json:"action"`
	// Reason is a machine-readable code; Detail says it for people.
	Reason string `json:"reason,omitempty"`
	Detail string `json:"detail,omitempty"`
	// ID is the recorded object's ID; empty for creates.
	ID     string          `json:"id,omitempty"`
	Before providers.Attrs `json:"before,omitempty"`
	After  providers.Attrs `json:"after,omitempty"`
	// AfterUnknown lists attributes known only after apply.
	AfterUnknown []string `json:"after_unknown,omitempty"`
	// Sensitive names attributes whose values views must never show
	// (before or after); the values themselves stay in the plan, which is
	// written with mode 0600, so that a saved plan can be applied.
	Sensitive []string `json:"sensitive,omitempty"`
	// Changed lists the attributes that differ; ReplacePaths those that
	// force replacement.
	Changed      []string `json:"changed,omitempty"`
	ReplacePaths []string `json:"replace_paths,omitempty"`
	// DependsOn are the addresses the new object needs first; OldDependsOn
	// the recorded objects the old one needs (deleted after it).
	DependsOn    []string `json:"depends_on,omitempty"`
	OldDependsOn []string `json:"old_depends_on,omitempty"`
	// Placement is where a created volume goes and why.
	Placement *Placement `json:"placement,omitempty"`
	// Thick asks for fully allocated space (the type's provisioning:type).
	Thick bool `json:"thick,omitempty"`
	// Import is set when the apply adopts an existing object here first.
	Import *ImportSource `json:"import,omitempty"`
	// DestroysData marks a delete or replacement of an object that holds
	// data on a backend (a volume or a snapshot that exists there).
	DestroysData bool `json:"destroys_data,omitempty"`
}

// Creates reports whether applying the change makes a new object.
func (c *Change) Creates() bool {
	return c.Action == Create || c.Action == Replace || c.Action == CreateThenDelete
}

// Deletes reports whether applying the change removes a recorded object.
func (c *Change) Deletes() bool {
	return c.Action == Delete || c.Action == Replace || c.Action == CreateThenDelete
}

// Placement is a scheduling decision.
type Placement struct {
	Pool string `json:"pool"`
	// Why is set when the pool was not chosen by the scheduler (a clone or
	// a volume from a snapshot stays on its source's pool).
	Why         string                `json:"why,omitempty"`
	Explanation *schedule.Explanation `json:"explanation,omitempty"`
	// Secret: the request quotes sensitive values, so views must not show
	// the explanation (the applier still uses it to reschedule).
	Secret bool `json:"secret,omitempty"`
}

// Drift is a difference between the record and what a backend holds, found
// by refresh ("changed outside of slab").
type Drift struct {
	Address string          `json:"address"`
	Kind    string          `json:"kind"`
	Name    string          `json:"name"`
	ID      string          `json:"id"`
	Action  Action          `json:"action"` // update (changed) or delete (gone)
	Before  providers.Attrs `json:"before"`
	After   providers.Attrs `json:"after,omitempty"`
	Detail  string          `json:"detail"`
	// Sensitive: as Change.Sensitive.
	Sensitive []string `json:"sensitive,omitempty"`
}

// PoolSpec is what the applier needs to open a pool: a saved plan carries
// it so that it can be applied without the configuration.
type PoolSpec struct {
	Driver string             `json:"driver"`
	Config drivers.PoolConfig `json:"config"`
}

// Plan is the whole proposal: plain data, serializable, appliable later.
type Plan struct {
	FormatVersion int       `json:"format_version"`
	SlabVersion   string    `json:"slab_version"`
	CreatedAt     time.Time `json:"created_at"`
	Stack         string    `json:"stack"`
	// StateStore identifies the state store the plan was made against (a
	// hash of its location, so no credential is kept); a saved plan
	// applies only there.
	StateStore string `json:"state_store,omitempty"`
	// Lineage and Serial are the stack's when the plan was made; applying
	// a saved plan is refused when either has moved.
	Lineage string `json:"lineage"`
	Serial  int64  `json:"serial"`
	// Destroy marks a plan made by `slab destroy` / `plan -destroy`.
	Destroy bool `json:"destroy,omitempty"`
	// RefreshOnly plans record drift and change nothing else.
	RefreshOnly bool `json:"refresh_only,omitempty"`
	// Targets are the -target addresses: the plan covers only them and
	// what they need, so it may not be complete.
	Targets []string   `json:"targets,omitempty"`
	Pools   []PoolSpec `json:"pools"`
	// Scheduler is the pipeline placements were made with; an apply
	// reschedules a failed create with the same one.
	Scheduler schedule.Spec `json:"scheduler"`
	Changes   []*Change     `json:"changes"`
	Drift     []*Drift      `json:"drift,omitempty"`
	// Unmanaged lists what the pools hold that no stack records.
	Unmanaged []Unmanaged `json:"unmanaged,omitempty"`
}

// FormatVersion is the saved-plan format this slab writes and reads.
const FormatVersion = 1

// Summary counts changes as Terraform's "Plan: A to add, C to change, D to
// destroy." line does (a replacement adds one and destroys one).
type Summary struct{ Import, Add, Change, Destroy int }

// Summary counts the plan's changes.
func (p *Plan) Summary() Summary {
	var s Summary
	for _, c := range p.Changes {
		if c.Import != nil {
			s.Import++
		}
		switch c.Action {
		case Create:
			s.Add++
		case Update:
			s.Change++
		case Delete:
			s.Destroy++
		case Replace, CreateThenDelete:
			s.Add++
			s.Destroy++
		}
	}
	return s
}

// HasChanges reports whether applying the plan would do anything.
func (p *Plan) HasChanges() bool {
	for _, c := range p.Changes {
		if c.Action != NoOp || c.Import != nil {
			return true
		}
	}
	return p.RefreshOnly && len(p.Drift) > 0
}

// DataLoss lists the addresses whose data applying the plan destroys.
func (p *Plan) DataLoss() []string {
	var out []string
	for _, c := range p.Changes {
		if c.DestroysData {
			out = append(out, c.Address)
		}
	}
	return out
}

// Change returns the change for an address.
func (p *Plan) Change(address string) *Change {
	for _, c := range p.Changes {
		if c.Address == address {
			return c
		}
	}
	return nil
}

// kindOrder is the display and dependency order of kinds.
var kindOrder = map[string]int{"qos": 0, "volume_type": 1, "volume": 2, "snapshot": 3}

func sortChanges(cs []*Change) {
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].Address != cs[j].Address {
			return cs[i].Address < cs[j].Address
		}
		return kindOrder[cs[i].Kind] < kindOrder[cs[j].Kind]
	})
}
