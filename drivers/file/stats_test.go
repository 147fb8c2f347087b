//go:build linux

package file

import (
	"encoding/json"
	"math"
	"path/filepath"
	"reflect"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/slab-storage/slab/drivers"
)

func TestStats(t *testing.T) {
	t.Parallel()
	p := tempPool(t)
	ctx := t.Context()

	empty, err := p.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if empty.TotalVolumes != 0 || empty.ProvisionedCapacityGB != 0 || empty.AllocatedCapacityGB != 0 {
		t.Errorf("empty pool stats = %+v", empty)
	}

	mustCreate(t, p, "v1", 1)
	if _, err := p.CreateVolume(ctx, drivers.CreateVolumeRequest{ID: "v2", SizeGiB: 2, Thick: true}); err != nil {
		t.Fatal(err)
	}
	mustSnapshot(t, p, "s1", "v1")
	if _, err := p.ExtendVolume(ctx, "v1", 3); err != nil {
		t.Fatal(err)
	}
	st, err := p.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var fs unix.Statfs_t
	if err := unix.Statfs(p.Path(), &fs); err != nil {
		t.Fatal(err)
	}

	// Volumes: v1 3 GiB + v2 2 GiB; the snapshot of v1 was taken at 1 GiB.
	want := drivers.PoolStats{
		PoolName:                 "fast",
		VolumeBackendName:        "ssd",
		VendorName:               "slab",
		DriverVersion:            DriverVersion,
		StorageProtocol:          "local",
		TotalCapacityGB:          drivers.GiB(round2(float64(fs.Blocks) * float64(fs.Frsize) / float64(oneGiB))),
		FreeCapacityGB:           st.FreeCapacityGB, // checked below: it moves with other tests
		ProvisionedCapacityGB:    6,
		AllocatedCapacityGB:      5,
		ReservedPercentage:       5,
		MaxOverSubscriptionRatio: "20.0",
		ThinProvisioningSupport:  true,
		ThickProvisioningSupport: true,
		OnlineExtendSupport:      true,
		Multiattach:              false,
		TotalVolumes:             2,
		Capabilities:             map[string]any{"disk": "ssd"},
	}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("stats =\n%+v\nwant\n%+v", st, want)
	}
	freeNow := float64(fs.Bavail) * float64(fs.Frsize) / float64(oneGiB)
	if !st.FreeCapacityGB.Finite() || math.Abs(st.FreeCapacityGB.GiB-freeNow) > 1 {
		t.Errorf("free = %v GiB, statfs says %.2f", st.FreeCapacityGB, freeNow)
	}
	if st.FreeCapacityGB.GiB > st.TotalCapacityGB.GiB {
		t.Errorf("free %v > total %v", st.FreeCapacityGB, st.TotalCapacityGB)
	}
	for _, v := range []float64{st.TotalCapacityGB.GiB, st.FreeCapacityGB.GiB} {
		if r := v * 100; math.Abs(r-math.Round(r)) > 1e-6 {
			t.Errorf("%v is not rounded to 2 decimals", v)
		}
	}

	t.Run("the JSON uses Cinder's get_volume_stats keys", func(t *testing.T) {
		b, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"pool_name", "volume_backend_name", "vendor_name", "driver_version", "storage_protocol",
			"total_capacity_gb", "free_capacity_gb", "provisioned_capacity_gb", "allocated_capacity_gb", "reserved_percentage",
			"max_over_subscription_ratio", "thin_provisioning_support", "thick_provisioning_support", "online_extend_support",
			"multiattach", "total_volumes", "capabilities"} {
			if _, ok := m[k]; !ok {
				t.Errorf("key %q missing from %s", k, b)
			}
		}
	})

	t.Run("the returned capabilities are a copy", func(t *testing.T) {
		st.Capabilities["disk"] = "hdd"
		again, err := p.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if again.Capabilities["disk"] != "ssd" {
			t.Error("mutating Stats' capabilities changed the pool's")
		}
	})
}

func TestStatsFollowTheConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		ratio        string
		caps         map[string]any
		wantRatio    string
		wantProtocol string
	}{
		{"defaults are ratio 20.0 and protocol local", "", nil, "20.0", "local"},
		{"a declared ratio and protocol are reported", "1.5", map[string]any{"storage_protocol": "iSCSI"}, "1.5", "iSCSI"},
		{"auto is passed on for the scheduler to compute", "auto", nil, "auto", "local"},
		{"a non-string protocol capability is ignored", "", map[string]any{"storage_protocol": 7}, "20.0", "local"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := testConfig(filepath.Join(t.TempDir(), "pool"), nil)
			cfg.MaxOverSubscriptionRatio = tt.ratio
			cfg.Capabilities = tt.caps
			p, err := Open(cfg)
			if err != nil {
				t.Fatal(err)
			}
			st, err := p.Stats(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if st.MaxOverSubscriptionRatio != tt.wantRatio || st.StorageProtocol != tt.wantProtocol {
				t.Errorf("ratio %q protocol %q, want %q %q", st.MaxOverSubscriptionRatio, st.StorageProtocol, tt.wantRatio, tt.wantProtocol)
			}
			if !reflect.DeepEqual(st.Capabilities, tt.caps) {
				t.Errorf("capabilities = %v, want %v", st.Capabilities, tt.caps)
			}
		})
	}
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
