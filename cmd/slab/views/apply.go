package views

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/slab-storage/slab/planner"
)

// ApplyHooks renders apply progress: Terraform-style lines for people, or
// one JSON object per line for machines.
type ApplyHooks struct {
	mu   sync.Mutex
	w    io.Writer
	json bool
}

// NewApplyHooks returns hooks writing to w.
func NewApplyHooks(w io.Writer, jsonOut bool) *ApplyHooks {
	return &ApplyHooks{w: w, json: jsonOut}
}

type verbs struct{ doing, done, noun string }

func verbsOf(c *planner.Change, phase planner.Phase) verbs {
	switch {
	case phase == planner.PhaseDestroy:
		return verbs{"Destroying...", "Destruction complete", "destruction"}
	case c.Import != nil && c.Action == planner.NoOp:
		return verbs{"Importing...", "Import complete", "import"}
	case c.Import != nil:
		return verbs{"Importing and modifying...", "Import and modifications complete", "import"}
	case c.Action == planner.Update:
		return verbs{"Modifying...", "Modifications complete", "modification"}
	}
	return verbs{"Creating...", "Creation complete", "creation"}
}

func (h *ApplyHooks) event(typ string, c *planner.Change, phase planner.Phase, extra map[string]any) {
	ev := map[string]any{
		"type":       typ,
		"@timestamp": time.Now().UTC().Format(time.RFC3339Nano),
		"hook": map[string]any{
			"resource": map[string]any{"addr": c.Address, "resource_type": c.Kind, "resource_name": c.Name},
			"action":   actionName(c, phase),
		},
	}
	for k, v := range extra {
		ev["hook"].(map[string]any)[k] = v
	}
	raw, _ := json.Marshal(ev)
	fmt.Fprintln(h.w, string(raw))
}

func actionName(c *planner.Change, phase planner.Phase) string {
	if phase == planner.PhaseDestroy {
		return "delete"
	}
	if c.Import != nil && c.Action == planner.NoOp {
		return "import"
	}
	if c.Action == planner.Update {
		return "update"
	}
	return "create"
}

func (h *ApplyHooks) Started(c *planner.Change, phase planner.Phase) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.json {
		h.event("apply_start", c, phase, nil)
		return
	}
	suffix := ""
	if c.ID != "" && (phase == planner.PhaseDestroy || c.Action == planner.Update) {
		suffix = " [id=" + c.ID + "]"
	}
	fmt.Fprintf(h.w, "%s: %s%s\n", c.Address, verbsOf(c, phase).doing, suffix)
}

func (h *ApplyHooks) Finished(c *planner.Change, phase planner.Phase, err error, elapsed time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	secs := int(elapsed.Round(time.Second).Seconds())
	if h.json {
		if err != nil {
			h.event("apply_errored", c, phase, map[string]any{"elapsed_seconds": secs, "error": err.Error()})
			return
		}
		h.event("apply_complete", c, phase, map[string]any{"elapsed_seconds": secs})
		return
	}
	v := verbsOf(c, phase)
	if err != nil {
		fmt.Fprintf(h.w, "%s: %s failed after %ds: %v\n", c.Address, v.noun, secs, err)
		return
	}
	fmt.Fprintf(h.w, "%s: %s after %ds\n", c.Address, v.done, secs)
}

func (h *ApplyHooks) Skipped(c *planner.Change, phase planner.Phase, because string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.json {
		h.event("apply_skipped", c, phase, map[string]any{"because": because})
		return
	}
	fmt.Fprintf(h.w, "%s: skipped (%s)\n", c.Address, because)
}

// WriteApplySummary prints the closing line.
func WriteApplySummary(w io.Writer, p *planner.Plan, res *planner.Result, jsonOut bool) {
	s := p.Summary()
	if len(res.Failed) > 0 || len(res.Skipped) > 0 {
		s = countDone(p, res)
	}
	if jsonOut {
		raw, _ := json.Marshal(map[string]any{"type": "change_summary", "changes": map[string]any{
			"import": s.Import, "add": s.Add, "change": s.Change, "remove": s.Destroy, "failed": len(res.Failed), "skipped": len(res.Skipped),
			"operation": operation(p)}, "serial": res.Serial})
		fmt.Fprintln(w, string(raw))
		return
	}
	word := "Apply"
	if p.Destroy {
		word = "Destroy"
	}
	status := "complete!"
	if len(res.Failed) > 0 {
		status = "finished with errors."
	}
	if p.Destroy {
		fmt.Fprintf(w, "\n%s %s Resources: %d destroyed.\n", word, status, s.Destroy)
		return
	}
	imported := ""
	if s.Import > 0 {
		imported = fmt.Sprintf("%d imported, ", s.Import)
	}
	fmt.Fprintf(w, "\n%s %s Resources: %s%d added, %d changed, %d destroyed.\n", word, status, imported, s.Add, s.Change, s.Destroy)
}

func operation(p *planner.Plan) string {
	if p.Destroy {
		return "destroy"
	}
	return "apply"
}

// countDone counts what an apply with failures really did: a change
// counts when none of its steps failed or was skipped.
func countDone(p *planner.Plan, res *planner.Result) planner.Summary {
	bad := map[string]bool{}
	for _, f := range res.Failed {
		bad[f.Address] = true
	}
	for _, a := range res.Skipped {
		bad[a] = true
	}
	var s planner.Summary
	for _, c := range p.Changes {
		if bad[c.Address] {
			continue
		}
		sub := (&planner.Plan{Changes: []*planner.Change{c}}).Summary()
		s.Import, s.Add, s.Change, s.Destroy = s.Import+sub.Import, s.Add+sub.Add, s.Change+sub.Change, s.Destroy+sub.Destroy
	}
	return s
}
