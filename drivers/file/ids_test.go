//go:build linux

package file

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slab-storage/slab/drivers"
)

// TestHostileIDsAreRefused drives every method with IDs that would escape
// or confuse the pool layout and checks each is refused as Failed and that
// nothing appears anywhere but the pool's own tree.
func TestHostileIDsAreRefused(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	p := openPool(t, filepath.Join(root, "pool"), nil)
	mustCreate(t, p, "good", 1)
	mustSnapshot(t, p, "good-snap", "good")
	before := tree(t, root)

	hostile := []string{
		"../x", "../../../x", "a/b", "..", ".", "", "X", "Vol", ".hidden",
		strings.Repeat("a", 65), "/etc/passwd", "a\x00b", "a b", "-lead", "a.b", "a_b",
	}
	type call struct {
		name string
		do   func(ctx context.Context, id string) error
	}
	calls := []call{
		{"CreateVolume", func(ctx context.Context, id string) error {
			_, err := p.CreateVolume(ctx, drivers.CreateVolumeRequest{ID: id, SizeGiB: 1})
			return err
		}},
		{"CreateVolume thick", func(ctx context.Context, id string) error {
			_, err := p.CreateVolume(ctx, drivers.CreateVolumeRequest{ID: id, SizeGiB: 1, Thick: true})
			return err
		}},
		{"CloneVolume new ID", func(ctx context.Context, id string) error {
			_, err := p.CloneVolume(ctx, drivers.CloneVolumeRequest{ID: id, SourceID: "good", SizeGiB: 1})
			return err
		}},
		{"CloneVolume source ID", func(ctx context.Context, id string) error {
			_, err := p.CloneVolume(ctx, drivers.CloneVolumeRequest{ID: "new", SourceID: id, SizeGiB: 1})
			return err
		}},
		{"CreateVolumeFromSnapshot new ID", func(ctx context.Context, id string) error {
			_, err := p.CreateVolumeFromSnapshot(ctx, drivers.CreateFromSnapshotRequest{ID: id, SnapshotID: "good-snap", SizeGiB: 1})
			return err
		}},
		{"CreateVolumeFromSnapshot snapshot ID", func(ctx context.Context, id string) error {
			_, err := p.CreateVolumeFromSnapshot(ctx, drivers.CreateFromSnapshotRequest{ID: "new", SnapshotID: id, SizeGiB: 1})
			return err
		}},
		{"ExtendVolume", func(ctx context.Context, id string) error {
			_, err := p.ExtendVolume(ctx, id, 2)
			return err
		}},
		{"DeleteVolume", func(ctx context.Context, id string) error { return p.DeleteVolume(ctx, id) }},
		{"CreateSnapshot snapshot ID", func(ctx context.Context, id string) error {
			_, err := p.CreateSnapshot(ctx, drivers.CreateSnapshotRequest{ID: id, VolumeID: "good"})
			return err
		}},
		{"CreateSnapshot volume ID", func(ctx context.Context, id string) error {
			_, err := p.CreateSnapshot(ctx, drivers.CreateSnapshotRequest{ID: "new-snap", VolumeID: id})
			return err
		}},
		{"DeleteSnapshot", func(ctx context.Context, id string) error { return p.DeleteSnapshot(ctx, id) }},
	}
	for _, c := range calls {
		for _, id := range hostile {
			err := c.do(t.Context(), id)
			if err == nil {
				t.Errorf("%s(%q) succeeded, want refusal", c.name, id)
				continue
			}
			if testing.Verbose() && c.name == "CreateVolume" {
				t.Logf("%s(%q): %v", c.name, id, err)
			}
			wantDriverError(t, err, drivers.Failed, "invalid object id")
		}
	}
	if after := tree(t, root); !equalStrings(after, before) {
		t.Errorf("files changed under %s:\nbefore %v\nafter  %v", root, before, after)
	}
}
