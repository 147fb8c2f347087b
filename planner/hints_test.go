package planner

import (
	"strings"
	"testing"
)

const affinityConfig = `
slab {
  scheduler {
    filters  = ["AvailabilityZoneFilter", "CapacityFilter", "DifferentBackendFilter", "SameBackendFilter"]
    weighers = { CapacityWeigher = 1.0 }
  }
}
` + twoEqualPools

func TestAffinityHintsPlaceVolumesApartOrTogether(t *testing.T) {
	f := newFixture(t, affinityConfig+`
volume "primary" {
  size = 1
}
volume "replica" {
  size            = 1
  scheduler_hints = { different_backend = [volume.primary] }
}
volume "logs" {
  size            = 1
  scheduler_hints = { same_backend = volume.primary }
}
`)
	p := f.mustPlan(Options{})
	primary := p.Change("volume.primary").Placement.Pool
	if got := p.Change("volume.replica").Placement.Pool; got == primary {
		t.Errorf("replica placed on %s with the primary despite different_backend", got)
	}
	if got := p.Change("volume.logs").Placement.Pool; got != primary {
		t.Errorf("logs placed on %s, want %s (same_backend)", got, primary)
	}
	f.apply(p)

	// Once recorded, the hint refers to the volume by ID and still holds.
	f.write(affinityConfig + `
volume "primary" {
  size = 1
}
volume "replica" {
  size            = 1
  scheduler_hints = { different_backend = [volume.primary] }
}
volume "logs" {
  size            = 1
  scheduler_hints = { same_backend = volume.primary }
}
volume "replica-2" {
  size            = 1
  scheduler_hints = { different_backend = ["volume.primary"] }
}
`)
	p = f.mustPlan(Options{})
	if got := p.Change("volume.replica-2").Placement.Pool; got == primary {
		t.Errorf("replica-2 placed on %s with the recorded primary", got)
	}
}

func TestAHintWithoutItsFilterWarns(t *testing.T) {
	f := newFixture(t, twoEqualPools+`
volume "a" {
  size = 1
}
volume "b" {
  size            = 1
  scheduler_hints = { different_backend = [volume.a] }
}
`)
	_, diags := f.plan(Options{})
	if diags.HasErrors() || !strings.Contains(diags.Error(), "DifferentBackendFilter, which is not among the scheduler's filters") {
		t.Fatalf("diags = %v, want a warning naming the missing filter", diags)
	}
}

func TestBadHintsAreDiagnostics(t *testing.T) {
	for name, hints := range map[string]string{
		"an unknown hint":            `{ nearby = [volume.a] }`,
		"an address that is nothing": `{ different_backend = ["volume.nope"] }`,
		"a query that is not JSON":   `{ query = "[>=" }`,
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, affinityConfig+"volume \"a\" {\n  size = 1\n}\nvolume \"b\" {\n  size = 1\n  scheduler_hints = "+hints+"\n}\n")
			if _, diags := f.plan(Options{}); !diags.HasErrors() || !strings.Contains(diags.Error(), "main.hcl") {
				t.Fatalf("diags = %v, want an error located in main.hcl", diags)
			}
		})
	}
}
