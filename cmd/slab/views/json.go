package views

import (
	"encoding/json"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/slab-storage/slab/planner"
	"github.com/slab-storage/slab/planner/schedule"
	"github.com/slab-storage/slab/providers"
)

// jsonPlan follows the shape of `terraform show -json` for plans, plus
// slab's placements.
type jsonPlan struct {
	FormatVersion   string              `json:"format_version"`
	SlabVersion     string              `json:"slab_version"`
	Stack           string              `json:"stack"`
	Lineage         string              `json:"lineage"`
	Serial          int64               `json:"serial"`
	Destroy         bool                `json:"destroy,omitempty"`
	RefreshOnly     bool                `json:"refresh_only,omitempty"`
	ResourceDrift   []jsonResChange     `json:"resource_drift,omitempty"`
	ResourceChanges []jsonResChange     `json:"resource_changes"`
	Placements      []jsonPlacement     `json:"placements,omitempty"`
	Unmanaged       []planner.Unmanaged `json:"unmanaged,omitempty"`
	Summary         map[string]int      `json:"summary"`
	// Applyable, Complete and Errored mean what they do in Terraform's
	// plan JSON: a targeted plan is not complete.
	Applyable bool     `json:"applyable"`
	Complete  bool     `json:"complete"`
	Errored   bool     `json:"errored"`
	Targets   []string `json:"targets,omitempty"`
	Timestamp string   `json:"timestamp"`
}

type jsonResChange struct {
	Address      string     `json:"address"`
	Mode         string     `json:"mode"`
	Type         string     `json:"type"`
	Name         string     `json:"name"`
	Index        any        `json:"index,omitempty"`
	Change       jsonChange `json:"change"`
	ActionReason string     `json:"action_reason,omitempty"`
	Detail       string     `json:"detail,omitempty"`
	DestroysData bool       `json:"destroys_data,omitempty"`
}

type jsonChange struct {
	Actions      []string        `json:"actions"`
	Before       map[string]any  `json:"before"`
	After        map[string]any  `json:"after"`
	AfterUnknown map[string]bool `json:"after_unknown"`
	// Sensitive attributes are left out of before/after and listed here,
	// as Terraform's before_sensitive/after_sensitive mark them.
	BeforeSensitive map[string]bool `json:"before_sensitive"`
	AfterSensitive  map[string]bool `json:"after_sensitive"`
	ReplacePaths    [][]string      `json:"replace_paths,omitempty"`
	// Importing is set when the object is adopted by this plan.
	Importing *jsonImporting `json:"importing,omitempty"`
}

type jsonImporting struct {
	ID   string `json:"id"`
	Pool string `json:"pool"`
	Ref  string `json:"ref,omitempty"`
}

type jsonPlacement struct {
	Address     string                `json:"address"`
	Pool        string                `json:"pool"`
	Why         string                `json:"why,omitempty"`
	Explanation *schedule.Explanation `json:"explanation,omitempty"`
}

// actionsOf spells an action as Terraform's actions list.
func actionsOf(a planner.Action) []string {
	switch a {
	case planner.Replace:
		return []string{"delete", "create"}
	case planner.CreateThenDelete:
		return []string{"create", "delete"}
	}
	return []string{string(a)}
}

// indexOf extracts the instance key from an address: `volume.db["a"]` →
// "a", `volume.x[2]` → 2.
func indexOf(address string) any {
	i := strings.IndexByte(address, '[')
	if i < 0 || !strings.HasSuffix(address, "]") {
		return nil
	}
	key := address[i+1 : len(address)-1]
	var v any
	if err := json.Unmarshal([]byte(key), &v); err != nil {
		return key
	}
	return v
}

// WritePlanJSON writes the machine-readable plan.
func WritePlanJSON(w io.Writer, p *planner.Plan) error {
	s := p.Summary()
	out := jsonPlan{
		FormatVersion: "1.0", SlabVersion: p.SlabVersion, Stack: p.Stack, Lineage: p.Lineage, Serial: p.Serial,
		Destroy: p.Destroy, RefreshOnly: p.RefreshOnly, ResourceChanges: []jsonResChange{},
		Summary:   map[string]int{"import": s.Import, "add": s.Add, "change": s.Change, "destroy": s.Destroy},
		Unmanaged: p.Unmanaged,
		Applyable: p.HasChanges(), Complete: len(p.Targets) == 0, Targets: p.Targets,
		Timestamp: p.CreatedAt.UTC().Format(time.RFC3339),
	}
	for _, d := range p.Drift {
		out.ResourceDrift = append(out.ResourceDrift, jsonResChange{
			Address: d.Address, Mode: "managed", Type: d.Kind, Name: d.Name, Index: indexOf(d.Address), Detail: d.Detail,
			Change: newJSONChange(d.Kind, d.Action, d.Before, d.After, d.Sensitive),
		})
	}
	for _, c := range p.Changes {
		before, after := c.Before, c.After
		if c.Action == planner.Create {
			before = nil
		}
		if c.Action == planner.Delete {
			after = nil
		}
		jc := newJSONChange(c.Kind, c.Action, before, after, c.Sensitive)
		for _, u := range c.AfterUnknown {
			jc.AfterUnknown[u] = true
		}
		if im := c.Import; im != nil {
			jc.Importing = &jsonImporting{ID: im.ID, Pool: im.Pool, Ref: im.Ref}
		}
		for _, rp := range c.ReplacePaths {
			jc.ReplacePaths = append(jc.ReplacePaths, []string{rp})
		}
		out.ResourceChanges = append(out.ResourceChanges, jsonResChange{
			Address: c.Address, Mode: "managed", Type: c.Kind, Name: c.Name, Index: indexOf(c.Address),
			Change: jc, ActionReason: c.Reason, Detail: c.Detail, DestroysData: c.DestroysData,
		})
		if pl := c.Placement; pl != nil {
			jp := jsonPlacement{Address: c.Address, Pool: pl.Pool, Why: pl.Why, Explanation: pl.Explanation}
			if pl.Secret {
				jp.Explanation, jp.Why = nil, "explanation hidden: the request uses sensitive values"
			}
			out.Placements = append(out.Placements, jp)
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func newJSONChange(kind string, action planner.Action, before, after providers.Attrs, sensitive []string) jsonChange {
	jc := jsonChange{Actions: actionsOf(action), AfterUnknown: map[string]bool{}}
	jc.Before, jc.BeforeSensitive = redact(kind, before, sensitive)
	jc.After, jc.AfterSensitive = redact(kind, after, sensitive)
	return jc
}

// redact leaves sensitive attributes out and returns which ones it left
// out; nil stays nil.
func redact(kind string, a providers.Attrs, sensitive []string) (map[string]any, map[string]bool) {
	hidden := map[string]bool{}
	if a == nil {
		return nil, hidden
	}
	schema := schemaOf(kind)
	out := make(map[string]any, len(a))
	for k, v := range a {
		if attr, ok := schema.Attribute(k); (ok && attr.Sensitive) || slices.Contains(sensitive, k) {
			if v != nil {
				hidden[k] = true
			}
			continue
		}
		out[k] = v
	}
	return out, hidden
}
