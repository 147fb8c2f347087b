package main

import (
	"testing"
)

func TestAPlanBeyondAQuotaFailsNamingTheQuotaItsLimitUsageAndRequest(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "main.hcl", `
slab {
  quota {
    volumes   = 3
    gigabytes = 10
    snapshots = -1
  }
}
`+onePool+`
volume_type "gold" {
  quota {
    volumes = 1
  }
}

volume "a" {
  size = 4
}

volume "b" {
  size = 2
  type = volume_type.gold
}

snapshot "of-a" {
  volume = volume.a
}
`)
	// 4 + 2 GiB of volumes and a 4 GiB snapshot: 10 GiB, at the limit.
	mustSlab(t, dir, 0, "apply", "-auto-approve")

	cfg := dir + "/main.hcl"
	editFile(t, cfg, `volume "a" {
  size = 4
}`, `volume "a" {
  size = 5
}`)
	r := mustSlab(t, dir, 1, "plan")
	wantAll(t, "growing beyond the stack's gigabytes", r.stderr, `main.hcl:3:3: Quota exceeded: gigabytes of stack "default"`,
		`The gigabytes quota of stack "default" is 10; 10 GiB are in use, and this plan asks for 1 more (11 in all).`)

	editFile(t, cfg, `size = 5`, `size = 4`)
	editFile(t, cfg, `snapshot "of-a"`, `volume "c" {
  size = 1
  type = volume_type.gold
}

snapshot "of-a"`)
	r = mustSlab(t, dir, 1, "plan")
	wantAll(t, "a second volume of a type limited to one", r.stderr, "Quota exceeded: volumes of volume_type.gold",
		"The volumes quota of volume_type.gold is 1; 1 are in use, and this plan asks for 1 more (2 in all).")

	// Usage comes from the catalog: deleting in the same plan makes room.
	editFile(t, cfg, `volume "b" {
  size = 2
  type = volume_type.gold
}`, ``)
	r = mustSlab(t, dir, 0, "plan")
	wantAll(t, "swapping one gold volume for another", r.stdout, "# volume.c will be created", "# volume.b will be destroyed")
}
