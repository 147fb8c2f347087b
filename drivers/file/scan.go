//go:build linux

package file

import (
	"context"
	"errors"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/slab-storage/slab/drivers"
)

// scanDir calls fn for every regular file in dir named "<prefix><valid id>".
// It costs one ReadDir and one fstatat per entry, relative to the open
// directory so the kernel does not walk the full path each time; temp
// files, symlinks and foreign names are skipped without a stat.
func scanDir(dir, prefix string, fn func(id, name string, st *unix.Stat_t)) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	ents, err := d.ReadDir(-1)
	if err != nil {
		return err
	}
	dfd := int(d.Fd())
	var st unix.Stat_t
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		name := e.Name()
		id, ok := parseName(name, prefix)
		if !ok {
			continue
		}
		err := unix.Fstatat(dfd, name, &st, unix.AT_SYMLINK_NOFOLLOW)
		if errors.Is(err, unix.ENOENT) {
			continue // deleted since ReadDir
		}
		if err != nil {
			return &os.PathError{Op: "fstatat", Path: filepath.Join(dir, name), Err: err}
		}
		if st.Mode&unix.S_IFMT == unix.S_IFREG {
			fn(id, name, &st)
		}
	}
	return nil
}

// listVolumes returns the pool's volumes sorted by ID.
func (p *Pool) listVolumes() ([]drivers.Volume, error) {
	var out []drivers.Volume
	prefix := p.volDir + string(filepath.Separator)
	err := scanDir(p.volDir, volumePrefix, func(id, name string, st *unix.Stat_t) {
		out = append(out, volumeFromStat(id, prefix+name, st))
	})
	slices.SortFunc(out, func(a, b drivers.Volume) int { return strings.Compare(a.ID, b.ID) })
	return out, err
}

// listSnapshots returns the pool's snapshots sorted by volume, then ID.
func (p *Pool) listSnapshots() ([]drivers.Snapshot, error) {
	ents, err := os.ReadDir(p.snapDir) // sorted by name, so by volume ID
	if err != nil {
		return nil, err
	}
	var out []drivers.Snapshot
	for _, e := range ents {
		vid, ok := parseName(e.Name(), volumePrefix)
		if !ok || !e.IsDir() {
			continue
		}
		dir := filepath.Join(p.snapDir, e.Name())
		first := len(out)
		err := scanDir(dir, snapshotPrefix, func(id, name string, st *unix.Stat_t) {
			out = append(out, drivers.Snapshot{ID: id, VolumeID: vid, SizeBytes: st.Size,
				ProviderLocation: dir + string(filepath.Separator) + name})
		})
		if errors.Is(err, os.ErrNotExist) {
			continue // its last snapshot was deleted since ReadDir
		}
		if err != nil {
			return nil, err
		}
		slices.SortFunc(out[first:], func(a, b drivers.Snapshot) int { return strings.Compare(a.ID, b.ID) })
	}
	return out, nil
}

// ListVolumes reports every volume the pool holds: apparent size,
// allocated bytes and the absolute path as provider location.
func (p *Pool) ListVolumes(ctx context.Context) ([]drivers.Volume, error) {
	if err := ctx.Err(); err != nil {
		return nil, classify(opListVolumes, "", err)
	}
	vols, err := p.listVolumes()
	if err != nil {
		return nil, classify(opListVolumes, "", err)
	}
	return vols, nil
}

// ListSnapshots reports every snapshot with the volume it belongs to.
func (p *Pool) ListSnapshots(ctx context.Context) ([]drivers.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, classify(opListSnapshots, "", err)
	}
	snaps, err := p.listSnapshots()
	if err != nil {
		return nil, classify(opListSnapshots, "", err)
	}
	return snaps, nil
}

// Stats reports the pool with Cinder's get_volume_stats keys. Capacity
// comes from statfs of the pool directory (free = space available to
// unprivileged users); provisioned counts volumes and snapshots at their
// apparent size, allocated counts volumes only.
func (p *Pool) Stats(ctx context.Context) (drivers.PoolStats, error) {
	if err := ctx.Err(); err != nil {
		return drivers.PoolStats{}, classify(opStats, "", err)
	}
	var fs unix.Statfs_t
	if err := unix.Statfs(p.root, &fs); err != nil {
		return drivers.PoolStats{}, classify(opStats, "", &os.PathError{Op: "statfs", Path: p.root, Err: err})
	}
	vols, err := p.listVolumes()
	if err != nil {
		return drivers.PoolStats{}, classify(opStats, "", err)
	}
	snaps, err := p.listSnapshots()
	if err != nil {
		return drivers.PoolStats{}, classify(opStats, "", err)
	}
	var volBytes, snapBytes int64
	for _, v := range vols {
		volBytes += v.SizeBytes
	}
	for _, s := range snaps {
		snapBytes += s.SizeBytes
	}
	// f_blocks and f_bavail count fragments of f_frsize bytes.
	unit := fs.Frsize
	if unit == 0 {
		unit = fs.Bsize
	}
	protocol := "local"
	if s, ok := p.cfg.Capabilities["storage_protocol"].(string); ok && s != "" {
		protocol = s
	}
	return drivers.PoolStats{
		PoolName:                 p.cfg.Name,
		VolumeBackendName:        p.cfg.Backend,
		VendorName:               "slab",
		DriverVersion:            DriverVersion,
		StorageProtocol:          protocol,
		TotalCapacityGB:          drivers.GiB(gib(float64(fs.Blocks) * float64(unit))),
		FreeCapacityGB:           drivers.GiB(gib(float64(fs.Bavail) * float64(unit))),
		ProvisionedCapacityGB:    gib(float64(volBytes + snapBytes)),
		AllocatedCapacityGB:      gib(float64(volBytes)),
		ReservedPercentage:       p.cfg.ReservedPercentage,
		MaxOverSubscriptionRatio: p.ratio,
		ThinProvisioningSupport:  true,
		ThickProvisioningSupport: true,
		OnlineExtendSupport:      true,
		Multiattach:              false,
		TotalVolumes:             len(vols),
		Capabilities:             maps.Clone(p.cfg.Capabilities),
	}, nil
}

// gib converts bytes to GiB rounded to 2 decimals, as Cinder drivers report.
func gib(bytes float64) float64 {
	return math.Round(bytes/float64(drivers.GiBBytes)*100) / 100
}
