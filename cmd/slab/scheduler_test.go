package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// Three pools on one file system: the over-subscription ratios make their
// virtual free space differ by whole multiples, whatever the disk's size.
const schedulingConfig = `
slab {
  scheduler {
    filters  = ["AvailabilityZoneFilter", "CapacityFilter", "CapabilitiesFilter"]
    weighers = { CapacityWeigher = 1.0 }
  }
}

backend "flash" {
  driver            = "file"
  availability_zone = "az1"
  pool "fast" {
    path                        = "pools/fast"
    max_over_subscription_ratio = 4
    capabilities                = { disk = "ssd" }
  }
}

backend "disk" {
  driver            = "file"
  availability_zone = "az1"
  pool "big" {
    path                        = "pools/big"
    max_over_subscription_ratio = 8
    capabilities                = { disk = "hdd" }
  }
}

backend "remote" {
  driver            = "file"
  availability_zone = "az2"
  pool "far" {
    path                        = "pools/far"
    max_over_subscription_ratio = 16
    capabilities                = { disk = "ssd" }
  }
}

volume_type "ssd" {
  extra_specs = { "capabilities:disk" = "ssd" }
}

volume "db" {
  count             = 3
  size              = 1
  type              = volume_type.ssd
  availability_zone = "az1"
}

volume "scratch" {
  count             = 2
  size              = 1
  availability_zone = "az1"
}
`

func TestSchedulingABatchAcrossPoolsAndExplainingIt(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "main.hcl", schedulingConfig)
	r := mustSlab(t, dir, 0, "plan", "-json")
	var doc struct {
		Placements []struct {
			Address string `json:"address"`
			Pool    string `json:"pool"`
		} `json:"placements"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range doc.Placements {
		got[p.Address] = p.Pool
	}
	want := map[string]string{
		// ssd in az1: only flash#fast has disk = ssd there.
		"volume.db[0]": "flash#fast", "volume.db[1]": "flash#fast", "volume.db[2]": "flash#fast",
		// untyped in az1: disk#big has the most virtual free space.
		"volume.scratch[0]": "disk#big", "volume.scratch[1]": "disk#big",
	}
	for addr, pool := range want {
		if got[addr] != pool {
			t.Errorf("%s placed on %q, want %s", addr, got[addr], pool)
		}
	}

	r = mustSlab(t, dir, 0, "plan", "-explain", "volume.db[0]")
	for _, w := range []string{
		"Placement of volume.db[0] (1 GiB, type ssd, zone az1)",
		"flash#fast  chosen",
		`disk#big    rejected  -       CapabilitiesFilter: capabilities:disk`,
		`remote#far  rejected  -       AvailabilityZoneFilter: zone "az2", requested "az1"`,
	} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("explanation lacks %q:\n%s", w, r.stdout)
		}
	}
	r = mustSlab(t, dir, 0, "plan", "-explain", "volume.scratch[0]")
	if !strings.Contains(r.stdout, "disk#big    chosen") || !strings.Contains(r.stdout, "CapacityWeigher 1 × 1.000") {
		t.Errorf("scratch explanation:\n%s", r.stdout)
	}
	mustSlab(t, dir, 1, "plan", "-explain", "volume.nope")

	mustSlab(t, dir, 0, "apply", "-auto-approve")
	rec, _ := readState(t, dir, "default")
	for addr, pool := range want {
		if v := volumeAt(t, rec, addr); v.Pool != pool {
			t.Errorf("%s recorded on %s, want %s", addr, v.Pool, pool)
		}
	}
}

func TestSchedulerSettingsAreValidatedAgainstKnownNames(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "main.hcl", `
slab {
  scheduler {
    filters  = ["AvailabilityZoneFilter", "CapacityFiltre"]
    weighers = { GoodnessWeigher = 1.0 }
  }
}
`)
	r := mustSlab(t, dir, 1, "validate")
	for _, want := range []string{"main.hcl:4:16: Unknown scheduler filter", `Did you mean "CapacityFilter"?`} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("validate lacks %q:\n%s", want, r)
		}
	}
	writeFile(t, dir, "main.hcl", "slab {\n  scheduler {\n    weighers = { CapacityWeigher = \"high\" }\n  }\n}\n")
	r = mustSlab(t, dir, 1, "validate")
	if !strings.Contains(r.stderr, "main.hcl:3:16: Incorrect attribute value type") {
		t.Errorf("a non-numeric multiplier:\n%s", r)
	}
}
