package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestScheduleCommandPlacesOnDeclaredStats(t *testing.T) {
	dir := t.TempDir()
	pools, _ := filepath.Abs(filepath.Join("testdata", "schedule", "pools.json"))
	writeFile(t, dir, "req.json", `{"size": 100, "old_size": 0, "volume_type": {"name": "gold", "extra_specs": {}}, "availability_zone": "az1",
		"hints": {"different_backend": [], "same_backend": [], "query": null}, "filters": null, "weighers": null}`)
	r := mustSlab(t, dir, 0, "schedule", "-pools", pools, "-request", "req.json", "-json")
	var out struct {
		Selected *string `json:"selected"`
		Pools    []struct {
			Name         string                        `json:"name"`
			Passed       bool                          `json:"passed"`
			FailedFilter string                        `json:"failed_filter"`
			Weights      map[string]map[string]float64 `json:"weights"`
			Weight       float64                       `json:"weight"`
		} `json:"pools"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	// ssd#fast: (500 − 25 reserved) × 20 − 300 provisioned = 9200 virtual
	// free; ssd#slow: auto ratio with nothing provisioned is 20, 1000 × 20.
	if out.Selected == nil || *out.Selected != "ssd#slow" {
		t.Fatalf("selected %v, want ssd#slow:\n%s", out.Selected, r)
	}
	if len(out.Pools) != 3 || out.Pools[0].Name != "ssd#fast" || out.Pools[2].Name != "hdd#bulk" {
		t.Fatalf("pools not in input order: %+v", out.Pools)
	}
	if got := out.Pools[0].Weights["CapacityWeigher"]["raw"]; got != 9200 {
		t.Errorf("ssd#fast raw capacity weight %v, want 9200", got)
	}
	if out.Pools[2].Passed || out.Pools[2].FailedFilter != "AvailabilityZoneFilter" {
		t.Errorf("hdd#bulk: %+v, want rejected by AvailabilityZoneFilter", out.Pools[2])
	}

	// Nothing fits: exit 1 with every pool's reason.
	writeFile(t, dir, "huge.json", `{"size": 1000000, "availability_zone": "az1"}`)
	r = mustSlab(t, dir, 1, "schedule", "-pools", pools, "-request", "huge.json")
	for _, want := range []string{"ssd#fast", "CapacityFilter", "hdd#bulk", "AvailabilityZoneFilter", "No pool passes"} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("no-fit output lacks %q:\n%s", want, r)
		}
	}
	// Bad input: exit 2 naming the field.
	writeFile(t, dir, "bad.json", `{"size": 10, "weighers": {"CapacityWeigher": "high"}}`)
	r = mustSlab(t, dir, 2, "schedule", "-pools", pools, "-request", "bad.json")
	if !strings.Contains(r.stderr, "weighers") {
		t.Errorf("bad input message does not name the field:\n%s", r)
	}
	mustSlab(t, dir, 2, "schedule", "-pools", "missing.json", "-request", "req.json")
}
