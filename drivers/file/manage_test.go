//go:build linux

package file

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestManageableFilesAreForeignRegularFilesOfTheVolumesDirectory(t *testing.T) {
	p := tempPool(t)
	ctx := context.Background()
	mustCreate(t, p, "v1", 1)
	writeBytes(t, filepath.Join(p.volDir, "legacy.img"), 5000)
	writeBytes(t, filepath.Join(p.volDir, ".hidden"), 10)
	writeBytes(t, filepath.Join(t.TempDir(), "elsewhere"), 10)
	if err := os.Symlink("/etc/passwd", filepath.Join(p.volDir, "link.img")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(p.volDir, "dir.img"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := p.ListManageable(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Ref != "legacy.img" || got[0].SizeBytes != 5000 || got[0].SizeGiB() != 1 {
		t.Fatalf("manageable = %+v, want only legacy.img (5000 bytes, 1 GiB)", got)
	}
}

func TestManagingAFileRenamesItToTheVolumeAndKeepsItsData(t *testing.T) {
	p := tempPool(t)
	ctx := context.Background()
	src := filepath.Join(p.volDir, "legacy.img")
	writeBytes(t, src, 3*1024*1024)
	v, err := p.ManageVolume(ctx, "legacy.img", "adopted")
	if err != nil {
		t.Fatal(err)
	}
	if v.ID != "adopted" || v.SizeBytes != 3*1024*1024 || v.ProviderLocation != p.volumePath("adopted") {
		t.Fatalf("managed volume = %+v", v)
	}
	if _, err := os.Stat(src); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the original name still exists: %v", err)
	}
	vols, _ := p.ListVolumes(ctx)
	if len(vols) != 1 || vols[0].ID != "adopted" {
		t.Fatalf("volumes after manage = %+v", vols)
	}
	// A retry of the same call (its result was lost) finds the volume.
	if again, err := p.ManageVolume(ctx, "legacy.img", "adopted"); err != nil || again.ID != "adopted" {
		t.Fatalf("retry = %+v, %v", again, err)
	}
}

func TestManagingRefusesNamesThatAreNotPlainForeignFiles(t *testing.T) {
	p := tempPool(t)
	ctx := context.Background()
	outside := filepath.Join(filepath.Dir(p.root), "outside.img")
	writeBytes(t, outside, 10)
	mustCreate(t, p, "taken", 1)
	writeBytes(t, filepath.Join(p.volDir, "other.img"), 10)
	if err := os.Symlink(outside, filepath.Join(p.volDir, "link.img")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ ref, id string }{
		{"../../outside.img", "a"},
		{"link.img", "b"},
		{"volume-taken", "c"},
		{".hidden", "d"},
		{"missing.img", "e"},
		{"other.img", "taken"},  // would replace an existing volume
		{"other.img", "../bad"}, // hostile id
	} {
		if _, err := p.ManageVolume(ctx, tt.ref, tt.id); err == nil {
			t.Errorf("ManageVolume(%q, %q) succeeded", tt.ref, tt.id)
		}
	}
	if _, err := os.Stat(outside); err != nil {
		t.Fatalf("the file outside the pool was touched: %v", err)
	}
	if _, err := os.Stat(filepath.Join(p.volDir, "other.img")); err != nil {
		t.Fatalf("a refused manage moved the file: %v", err)
	}
}

// writeBytes writes n bytes of a known pattern to a new file.
func writeBytes(t *testing.T, path string, n int) {
	t.Helper()
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
