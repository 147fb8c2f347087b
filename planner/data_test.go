package planner

import (
	"bytes"
	"os"
	"testing"
)

func TestClonesAndVolumesFromSnapshotsCarryTheSourceData(t *testing.T) {
	f := newFixture(t, twoEqualPools+`
volume "origin" {
  size = 1
}
`)
	f.apply(f.mustPlan(Options{}))
	origin := volumeByAddress(t, f, "volume.origin")
	payload := bytes.Repeat([]byte("slab"), 1024)
	writeAt(t, origin, payload, 4096)

	f.write(twoEqualPools + `
volume "origin" {
  size = 1
}
snapshot "s" {
  volume = volume.origin
}
volume "from-snapshot" {
  size   = 2
  source = { snapshot = snapshot.s }
}
volume "clone" {
  size   = 1
  source = { volume = volume.origin }
}
`)
	p := f.mustPlan(Options{})
	for _, addr := range []string{"volume.from-snapshot", "volume.clone"} {
		if c := p.Change(addr); c.Placement.Pool != p.Change("snapshot.s").Placement.Pool {
			t.Errorf("%s placed on %s, want its source's pool", addr, c.Placement.Pool)
		}
	}
	f.apply(p)
	// Writing the origin afterwards must not reach the copies.
	writeAt(t, origin, bytes.Repeat([]byte("XXXX"), 1024), 4096)
	for _, addr := range []string{"volume.from-snapshot", "volume.clone"} {
		path := volumeByAddress(t, f, addr)
		got := make([]byte, len(payload))
		fh, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fh.ReadAt(got, 4096); err != nil {
			t.Fatal(err)
		}
		fh.Close()
		if !bytes.Equal(got, payload) {
			t.Errorf("%s does not hold the origin's data as it was", addr)
		}
	}
	if fi, _ := os.Stat(volumeByAddress(t, f, "volume.from-snapshot")); fi.Size() != 2<<30 {
		t.Errorf("volume from snapshot is %d bytes, want 2 GiB", fi.Size())
	}
}

func volumeByAddress(t *testing.T, f *fixture, addr string) string {
	t.Helper()
	for _, v := range f.read().Volumes {
		if v.Address == addr {
			return v.ProviderLocation
		}
	}
	t.Fatalf("no volume at %s", addr)
	return ""
}

func writeAt(t *testing.T, path string, data []byte, off int64) {
	t.Helper()
	fh, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	if _, err := fh.WriteAt(data, off); err != nil {
		t.Fatal(err)
	}
}
