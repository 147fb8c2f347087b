package drivers

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"sync"
)

// PoolConfig is what a driver needs to open one pool. It comes from a
// `backend { pool { ... } }` block; the driver never sees config addresses.
type PoolConfig struct {
	Backend string // backend block label, e.g. "ssd"
	Name    string // pool block label, e.g. "fast"
	// Path is the operator-declared location of the pool (a directory for
	// the file driver). It is the only path a driver is given; every object
	// inside it is named from a slab-generated ID.
	Path                     string
	AvailabilityZone         string
	ReservedPercentage       int
	MaxOverSubscriptionRatio string // "" (default 20.0), a float, or "auto"
	Capabilities             map[string]any
	Options                  map[string]string // driver-specific settings
}

// FullName is the pool's scheduler name, "backend#pool" (Cinder's
// host@backend#pool without a host: slab has no services).
func (c PoolConfig) FullName() string { return c.Backend + "#" + c.Name }

// Capacity is a size in GiB that may also be "infinite" or "unknown", as
// Cinder's get_volume_stats allows for total and free capacity.
type Capacity struct {
	GiB      float64
	Infinite bool
	Unknown  bool
}

// GiB returns a finite capacity.
func GiB(v float64) Capacity { return Capacity{GiB: v} }

// Finite reports whether the capacity is a number.
func (c Capacity) Finite() bool { return !c.Infinite && !c.Unknown }

func (c Capacity) String() string {
	switch {
	case c.Infinite:
		return "infinite"
	case c.Unknown:
		return "unknown"
	}
	return strconv.FormatFloat(c.GiB, 'f', -1, 64)
}

// MarshalJSON writes a number, or the strings "infinite" / "unknown".
func (c Capacity) MarshalJSON() ([]byte, error) {
	if c.Finite() {
		if math.IsInf(c.GiB, 0) || math.IsNaN(c.GiB) {
			return []byte(`"unknown"`), nil
		}
		return json.Marshal(c.GiB)
	}
	return json.Marshal(c.String())
}

// UnmarshalJSON reads a number or one of the strings "infinite" / "unknown"
// (case-insensitive, as Cinder compares them lower-cased).
func (c *Capacity) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err == nil {
		*c = Capacity{GiB: f}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("capacity must be a number of GiB, \"infinite\" or \"unknown\", got %s", b)
	}
	switch s {
	case "infinite", "Infinite", "INFINITE":
		*c = Capacity{Infinite: true}
	case "unknown", "Unknown", "UNKNOWN":
		*c = Capacity{Unknown: true}
	default:
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("capacity must be a number of GiB, \"infinite\" or \"unknown\", got %q", s)
		}
		*c = Capacity{GiB: v}
	}
	return nil
}

// PoolStats is one pool's report, with Cinder's get_volume_stats keys.
type PoolStats struct {
	PoolName                 string         `json:"pool_name"`
	VolumeBackendName        string         `json:"volume_backend_name"`
	VendorName               string         `json:"vendor_name"`
	DriverVersion            string         `json:"driver_version"`
	StorageProtocol          string         `json:"storage_protocol"`
	TotalCapacityGB          Capacity       `json:"total_capacity_gb"`
	FreeCapacityGB           Capacity       `json:"free_capacity_gb"`
	ProvisionedCapacityGB    float64        `json:"provisioned_capacity_gb"`
	AllocatedCapacityGB      float64        `json:"allocated_capacity_gb"`
	ReservedPercentage       int            `json:"reserved_percentage"`
	MaxOverSubscriptionRatio string         `json:"max_over_subscription_ratio"`
	ThinProvisioningSupport  bool           `json:"thin_provisioning_support"`
	ThickProvisioningSupport bool           `json:"thick_provisioning_support"`
	OnlineExtendSupport      bool           `json:"online_extend_support"`
	Multiattach              bool           `json:"multiattach"`
	TotalVolumes             int            `json:"total_volumes"`
	FilterFunction           string         `json:"filter_function,omitempty"`
	GoodnessFunction         string         `json:"goodness_function,omitempty"`
	Capabilities             map[string]any `json:"capabilities,omitempty"`
}

// CreateVolumeRequest asks for an empty volume.
type CreateVolumeRequest struct {
	ID      string
	SizeGiB int
	// Thick asks for fully allocated space (provisioning:type = thick).
	Thick bool
}

// CreateFromSnapshotRequest asks for a new volume holding a snapshot's data.
type CreateFromSnapshotRequest struct {
	ID         string
	SnapshotID string
	SizeGiB    int // ≥ the snapshot's size; the volume is extended after the copy
}

// CloneVolumeRequest asks for a new volume holding another volume's data.
type CloneVolumeRequest struct {
	ID       string
	SourceID string
	SizeGiB  int // ≥ the source's size
}

// CreateSnapshotRequest asks for a point-in-time copy of a volume.
type CreateSnapshotRequest struct {
	ID       string
	VolumeID string
}

// Volume is what a pool really holds for one volume.
type Volume struct {
	ID               string `json:"id"`
	SizeBytes        int64  `json:"size_bytes"`
	AllocatedBytes   int64  `json:"allocated_bytes"`
	ProviderLocation string `json:"provider_location"`
}

// SizeGiB is the volume's size rounded up to whole GiB.
func (v Volume) SizeGiB() int { return int((v.SizeBytes + GiBBytes - 1) / GiBBytes) }

// Snapshot is what a pool really holds for one snapshot.
type Snapshot struct {
	ID               string `json:"id"`
	VolumeID         string `json:"volume_id"`
	SizeBytes        int64  `json:"size_bytes"`
	ProviderLocation string `json:"provider_location"`
}

// SizeGiB is the snapshot's size rounded up to whole GiB.
func (s Snapshot) SizeGiB() int { return int((s.SizeBytes + GiBBytes - 1) / GiBBytes) }

// GiBBytes is one GiB.
const GiBBytes = int64(1) << 30

// Pool is the backend contract for one pool. Every method is idempotent in
// the way a re-driven apply needs: creating an ID that already exists with
// the requested size succeeds, deleting an ID that does not exist succeeds.
// Errors are *Error values carrying a Class.
type Pool interface {
	Stats(ctx context.Context) (PoolStats, error)
	CreateVolume(ctx context.Context, req CreateVolumeRequest) (Volume, error)
	CreateVolumeFromSnapshot(ctx context.Context, req CreateFromSnapshotRequest) (Volume, error)
	CloneVolume(ctx context.Context, req CloneVolumeRequest) (Volume, error)
	ExtendVolume(ctx context.Context, id string, newSizeGiB int) (Volume, error)
	DeleteVolume(ctx context.Context, id string) error
	CreateSnapshot(ctx context.Context, req CreateSnapshotRequest) (Snapshot, error)
	DeleteSnapshot(ctx context.Context, id string) error
	ListVolumes(ctx context.Context) ([]Volume, error)
	ListSnapshots(ctx context.Context) ([]Snapshot, error)
	Close() error
}

// Opener opens one pool of a driver.
type Opener func(cfg PoolConfig) (Pool, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]Opener{}
)

// Register makes a driver available by name. Driver packages call it from
// init; the binary imports the drivers it ships.
func Register(name string, open Opener) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[name]; dup {
		panic("drivers: Register called twice for " + name)
	}
	registry[name] = open
}

// Names lists the registered drivers, sorted.
func Names() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Open opens a pool with the named driver.
func Open(driver string, cfg PoolConfig) (Pool, error) {
	registryMu.RLock()
	open, ok := registry[driver]
	registryMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("unknown driver %q (available: %v)", driver, Names())
	}
	return open(cfg)
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// ValidID reports whether id is safe to use as (part of) a file or object
// name: lower-case letters, digits and dashes, at most 64 characters, no
// separators and no dots. Drivers refuse any other ID.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// CheckID returns a Failed *Error when id is not a ValidID.
func CheckID(op, id string) error {
	if ValidID(id) {
		return nil
	}
	return &Error{Class: Failed, Op: op, ID: id, Err: fmt.Errorf("invalid object id %q", id)}
}

// Manageable is a backend object that is not (yet) a slab volume, which a
// Manager can take over (Cinder's get_manageable_volumes).
type Manageable struct {
	// Ref names the object within its pool; slab passes it back verbatim.
	Ref       string `json:"ref"`
	SizeBytes int64  `json:"size_bytes"`
}

// SizeGiB is the size rounded up to whole GiB, as Cinder's manage does.
func (m Manageable) SizeGiB() int { return int((m.SizeBytes + GiBBytes - 1) / GiBBytes) }

// Manager is implemented by pools that can adopt existing backend objects
// (Cinder's manage existing): the object is renamed to the volume it
// becomes, so it is then indistinguishable from one slab created.
type Manager interface {
	ListManageable(ctx context.Context) ([]Manageable, error)
	// ManageVolume makes the object ref the volume id and reports it.
	ManageVolume(ctx context.Context, ref, id string) (Volume, error)
}
