package planner

import (
	"strings"
	"testing"
)

// order returns the position of each step in one valid execution order.
func order(t *testing.T, changes []*Change) map[string]int {
	t.Helper()
	g, err := buildGraph(changes)
	if err != nil {
		t.Fatal(err)
	}
	done := map[*node]bool{}
	pos := map[string]int{}
	for len(done) < len(g.nodes) {
		progressed := false
		for _, n := range g.nodes {
			if done[n] {
				continue
			}
			ready := true
			for _, a := range n.after {
				ready = ready && done[a]
			}
			if ready {
				done[n] = true
				pos[n.String()] = len(pos)
				progressed = true
			}
		}
		if !progressed {
			t.Fatal("graph has no runnable step but is not finished")
		}
	}
	return pos
}

func TestGraphOrder(t *testing.T) {
	tests := []struct {
		name    string
		changes []*Change
		before  [][2]string // each pair: first must run before second
	}{
		{
			name: "new objects come after the new objects they reference",
			changes: []*Change{
				{Address: "snapshot.s", Kind: "snapshot", Action: Create, DependsOn: []string{"volume.v"}},
				{Address: "volume.v", Kind: "volume", Action: Create, DependsOn: []string{"volume_type.t"}},
				{Address: "volume_type.t", Kind: "volume_type", Action: Create},
			},
			before: [][2]string{{"apply volume_type.t", "apply volume.v"}, {"apply volume.v", "apply snapshot.s"}},
		},
		{
			name: "destroyed objects go after the objects that referenced them",
			changes: []*Change{
				{Address: "volume.v", Kind: "volume", Action: Delete, OldDependsOn: []string{"volume_type.t"}},
				{Address: "snapshot.s", Kind: "snapshot", Action: Delete, OldDependsOn: []string{"volume.v"}},
				{Address: "volume_type.t", Kind: "volume_type", Action: Delete},
			},
			before: [][2]string{{"destroy snapshot.s", "destroy volume.v"}, {"destroy volume.v", "destroy volume_type.t"}},
		},
		{
			name: "a replacement destroys first and its snapshot goes before it",
			changes: []*Change{
				{Address: "volume.v", Kind: "volume", Action: Replace},
				{Address: "snapshot.s", Kind: "snapshot", Action: Replace, DependsOn: []string{"volume.v"}, OldDependsOn: []string{"volume.v"}},
			},
			before: [][2]string{{"destroy snapshot.s", "destroy volume.v"}, {"destroy volume.v", "apply volume.v"}, {"apply volume.v", "apply snapshot.s"}},
		},
		{
			name: "create_before_destroy creates the replacement first",
			changes: []*Change{
				{Address: "volume.v", Kind: "volume", Action: CreateThenDelete},
			},
			before: [][2]string{{"apply volume.v", "destroy volume.v"}},
		},
		{
			name: "a retype away from a type runs before that type is destroyed",
			changes: []*Change{
				{Address: "volume.v", Kind: "volume", Action: Update, DependsOn: []string{"volume_type.new"}, OldDependsOn: []string{"volume_type.old"}},
				{Address: "volume_type.old", Kind: "volume_type", Action: Delete},
				{Address: "volume_type.new", Kind: "volume_type", Action: Create},
			},
			before: [][2]string{{"apply volume_type.new", "apply volume.v"}, {"apply volume.v", "destroy volume_type.old"}},
		},
		{
			name: "an update that keeps a replaced dependency waits for the new one",
			changes: []*Change{
				{Address: "snapshot.s", Kind: "snapshot", Action: Replace},
				{Address: "volume.copy", Kind: "volume", Action: Update, DependsOn: []string{"snapshot.s"}, OldDependsOn: []string{"snapshot.s"}},
			},
			before: [][2]string{{"destroy snapshot.s", "apply snapshot.s"}, {"apply snapshot.s", "apply volume.copy"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pos := order(t, tt.changes)
			for _, pair := range tt.before {
				a, okA := pos[pair[0]]
				b, okB := pos[pair[1]]
				if !okA || !okB {
					t.Fatalf("missing step %q or %q in %v", pair[0], pair[1], pos)
				}
				if a >= b {
					t.Errorf("%s ran at %d, not before %s at %d", pair[0], a, pair[1], b)
				}
			}
		})
	}
}

func TestGraphRefusesACycle(t *testing.T) {
	// Two replacements with create_before_destroy that each reference the
	// other's old object cannot be ordered.
	_, err := buildGraph([]*Change{
		{Address: "volume.a", Kind: "volume", Action: CreateThenDelete, DependsOn: []string{"volume.b"}, OldDependsOn: []string{"volume.b"}},
		{Address: "volume.b", Kind: "volume", Action: Replace, DependsOn: []string{"volume.a"}},
	})
	if err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Fatalf("err = %v, want a cycle error", err)
	}
}
