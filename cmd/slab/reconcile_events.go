package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/slab-storage/slab/planner"
)

// eventLog writes slab reconcile's events, one JSON object a line; the
// schema is documented in docs/reconcile.md and only grows.
type eventLog struct {
	mu sync.Mutex
	w  io.Writer
}

func newEventLog(w io.Writer) *eventLog { return &eventLog{w: w} }

// emit writes one event. run is the run's number, 0 for events of the
// loop itself. A reader that went away loses events but stops nothing.
func (l *eventLog) emit(typ string, run int, fields map[string]any) {
	ev := make(map[string]any, len(fields)+3)
	for k, v := range fields {
		ev[k] = v
	}
	ev["type"] = typ
	ev["@timestamp"] = time.Now().UTC().Format(time.RFC3339Nano)
	if run > 0 {
		ev["run"] = run
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		raw, _ = json.Marshal(map[string]any{"type": typ, "run": run, "error": "event not encodable: " + err.Error()})
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintln(l.w, string(raw))
}

// jsonDiagnostic is a diagnostic in an event.
type jsonDiagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail,omitempty"`
	// Range is file:line:col, as the CLI prints it.
	Range string `json:"range,omitempty"`
}

func diagnosticsJSON(diags hcl.Diagnostics) []jsonDiagnostic {
	out := make([]jsonDiagnostic, 0, len(diags))
	for _, d := range diags {
		jd := jsonDiagnostic{Severity: "error", Summary: d.Summary, Detail: strings.TrimSpace(d.Detail)}
		if d.Severity == hcl.DiagWarning {
			jd.Severity = "warning"
		}
		if s := d.Subject; s != nil {
			jd.Range = fmt.Sprintf("%s:%d:%d", s.Filename, s.Start.Line, s.Start.Column)
		}
		out = append(out, jd)
	}
	return out
}

// diagSummary joins the error summaries of diagnostics.
func diagSummary(diags hcl.Diagnostics) string {
	var parts []string
	for _, d := range diags.Errs() {
		if de, ok := d.(*hcl.Diagnostic); ok {
			parts = append(parts, de.Summary)
		} else {
			parts = append(parts, d.Error())
		}
	}
	return strings.Join(parts, "; ")
}

// reconcileHooks turn apply progress into change_* events.
type reconcileHooks struct {
	events *eventLog
	run    int
	// hold, when set, is a file whose existence holds every started step
	// before its driver call: the end-to-end tests use it to stop
	// reconcile while a step is in flight. It only ever delays a step.
	hold string
}

// holdEnv names the test hold file; unset (always, outside tests) it does
// nothing.
const holdEnv = "SLAB_RECONCILE_TEST_HOLD"

func newReconcileHooks(events *eventLog, run int, env []string) *reconcileHooks {
	h := &reconcileHooks{events: events, run: run}
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, holdEnv+"="); ok {
			h.hold = v
		}
	}
	return h
}

func changeFields(c *planner.Change, phase planner.Phase) map[string]any {
	return map[string]any{"address": c.Address, "kind": c.Kind, "action": actionOf(c, phase)}
}

// actionOf names what a step does: create, update, delete or import (a
// replacement is a create step and a delete step).
func actionOf(c *planner.Change, phase planner.Phase) string {
	switch {
	case phase == planner.PhaseDestroy:
		return "delete"
	case c.Import != nil && c.Action == planner.NoOp:
		return "import"
	case c.Action == planner.Update:
		return "update"
	}
	return "create"
}

func (h *reconcileHooks) Started(c *planner.Change, phase planner.Phase) {
	h.events.emit("change_started", h.run, changeFields(c, phase))
	for h.hold != "" {
		if _, err := os.Stat(h.hold); err != nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (h *reconcileHooks) Finished(c *planner.Change, phase planner.Phase, err error, elapsed time.Duration) {
	f := changeFields(c, phase)
	f["elapsed_seconds"] = elapsed.Seconds()
	if err != nil {
		f["error"] = err.Error()
		h.events.emit("change_failed", h.run, f)
		return
	}
	h.events.emit("change_applied", h.run, f)
}

func (h *reconcileHooks) Skipped(c *planner.Change, phase planner.Phase, because string) {
	f := changeFields(c, phase)
	f["reason"] = because
	h.events.emit("change_skipped", h.run, f)
}
