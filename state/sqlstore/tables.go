package sqlstore

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/slab-storage/slab/state"
)

// table describes how one kind is stored. Its SQL is generated from cols so
// that the INSERT, the upsert's SET list and the SELECT cannot disagree on
// the column set; the row struct's db tags must name the same columns
// (sqlx fails loudly on a missing one).
type table struct {
	kind state.Kind
	name string
	cols []string // every column but stack; id first
}

var (
	poolTable = table{state.KindPool, "pools", []string{
		"id", "address", "backend", "name", "driver", "availability_zone", "stats", "updated_at"}}
	qosTable = table{state.KindQoS, "qos", []string{
		"id", "address", "name", "consumer", "specs", "sensitive", "created_at", "updated_at"}}
	volumeTypeTable = table{state.KindVolumeType, "volume_types", []string{
		"id", "address", "name", "description", "extra_specs", "qos_id", "sensitive", "created_at", "updated_at"}}
	volumeTable = table{state.KindVolume, "volumes", []string{
		"id", "address", "name", "pool", "size", "status", "status_reason", "type_id",
		"availability_zone", "source_kind", "source_id", "source_address", "description", "metadata", "sensitive",
		"provider_location", "reverted_to", "created_at", "updated_at"}}
	snapshotTable = table{state.KindSnapshot, "snapshots", []string{
		"id", "address", "name", "volume_id", "pool", "size", "status", "status_reason",
		"description", "metadata", "sensitive", "provider_location", "created_at", "updated_at"}}

	backupTable = table{state.KindBackup, "backups", []string{
		"id", "address", "name", "policy", "volume_id", "repository", "repository_path", "parent_id",
		"incremental", "size_bytes", "stored_bytes", "status", "status_reason", "description", "manifest_location", "sensitive",
		"created_at", "updated_at"}}

	tables = []table{poolTable, qosTable, volumeTypeTable, volumeTable, snapshotTable, backupTable}
)

func tableFor(k state.Kind) (table, bool) {
	for _, t := range tables {
		if t.kind == k {
			return t, true
		}
	}
	return table{}, false
}

// upsertSQL is a named query: a Put replaces every column of the row.
func (t table) upsertSQL() string {
	var set []string
	for _, c := range t.cols[1:] {
		set = append(set, c+" = excluded."+c)
	}
	return fmt.Sprintf("INSERT INTO %s (stack, %s) VALUES (:stack, :%s) ON CONFLICT (stack, id) DO UPDATE SET %s",
		t.name, strings.Join(t.cols, ", "), strings.Join(t.cols, ", :"), strings.Join(set, ", "))
}

func (t table) selectSQL() string {
	return fmt.Sprintf("SELECT %s FROM %s WHERE stack = ? ORDER BY address, id", strings.Join(t.cols, ", "), t.name)
}

func (t table) deleteSQL() string {
	return fmt.Sprintf("DELETE FROM %s WHERE stack = ? AND id = ? RETURNING address", t.name)
}

func (t table) existsSQL() string {
	return fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE stack = ? AND id = ?", t.name)
}

type poolRow struct {
	Stack            string `db:"stack"`
	ID               string `db:"id"`
	Address          string `db:"address"`
	Backend          string `db:"backend"`
	Name             string `db:"name"`
	Driver           string `db:"driver"`
	AvailabilityZone string `db:"availability_zone"`
	Stats            dbJSON `db:"stats"`
	UpdatedAt        dbTime `db:"updated_at"`
}

type qosRow struct {
	Stack     string `db:"stack"`
	ID        string `db:"id"`
	Address   string `db:"address"`
	Name      string `db:"name"`
	Consumer  string `db:"consumer"`
	Specs     dbMap  `db:"specs"`
	Sensitive dbList `db:"sensitive"`
	CreatedAt dbTime `db:"created_at"`
	UpdatedAt dbTime `db:"updated_at"`
}

type volumeTypeRow struct {
	Stack       string `db:"stack"`
	ID          string `db:"id"`
	Address     string `db:"address"`
	Name        string `db:"name"`
	Description string `db:"description"`
	ExtraSpecs  dbMap  `db:"extra_specs"`
	QoSID       string `db:"qos_id"`
	Sensitive   dbList `db:"sensitive"`
	CreatedAt   dbTime `db:"created_at"`
	UpdatedAt   dbTime `db:"updated_at"`
}

type volumeRow struct {
	Stack            string `db:"stack"`
	ID               string `db:"id"`
	Address          string `db:"address"`
	Name             string `db:"name"`
	Pool             string `db:"pool"`
	Size             int64  `db:"size"`
	Status           string `db:"status"`
	StatusReason     string `db:"status_reason"`
	TypeID           string `db:"type_id"`
	AvailabilityZone string `db:"availability_zone"`
	SourceKind       string `db:"source_kind"`
	SourceID         string `db:"source_id"`
	SourceAddress    string `db:"source_address"`
	Description      string `db:"description"`
	Metadata         dbMap  `db:"metadata"`
	Sensitive        dbList `db:"sensitive"`
	ProviderLocation string `db:"provider_location"`
	RevertedTo       string `db:"reverted_to"`
	CreatedAt        dbTime `db:"created_at"`
	UpdatedAt        dbTime `db:"updated_at"`
}

type snapshotRow struct {
	Stack            string `db:"stack"`
	ID               string `db:"id"`
	Address          string `db:"address"`
	Name             string `db:"name"`
	VolumeID         string `db:"volume_id"`
	Pool             string `db:"pool"`
	Size             int64  `db:"size"`
	Status           string `db:"status"`
	StatusReason     string `db:"status_reason"`
	Description      string `db:"description"`
	Metadata         dbMap  `db:"metadata"`
	Sensitive        dbList `db:"sensitive"`
	ProviderLocation string `db:"provider_location"`
	CreatedAt        dbTime `db:"created_at"`
	UpdatedAt        dbTime `db:"updated_at"`
}

// toRow validates a Put object and converts it to its table and row.
func toRow(stack string, obj state.Object) (table, any, error) {
	var (
		t   table
		row any
		id  string
	)
	switch o := obj.(type) {
	case *state.Pool:
		if o == nil {
			break
		}
		if len(o.Stats) > 0 && !json.Valid(o.Stats) {
			return t, nil, fmt.Errorf("pool %q: stats are not valid JSON", o.ID)
		}
		t, id = poolTable, o.ID
		row = &poolRow{Stack: stack, ID: o.ID, Address: o.Address, Backend: o.Backend, Name: o.Name,
			Driver: o.Driver, AvailabilityZone: o.AvailabilityZone, Stats: dbJSON(o.Stats),
			UpdatedAt: dbTime(o.UpdatedAt)}
	case *state.QoS:
		if o == nil {
			break
		}
		t, id = qosTable, o.ID
		row = &qosRow{Stack: stack, ID: o.ID, Address: o.Address, Name: o.Name, Consumer: o.Consumer,
			Specs: o.Specs, Sensitive: o.Sensitive, CreatedAt: dbTime(o.CreatedAt), UpdatedAt: dbTime(o.UpdatedAt)}
	case *state.VolumeType:
		if o == nil {
			break
		}
		t, id = volumeTypeTable, o.ID
		row = &volumeTypeRow{Stack: stack, ID: o.ID, Address: o.Address, Name: o.Name,
			Description: o.Description, ExtraSpecs: o.ExtraSpecs, QoSID: o.QoSID, Sensitive: o.Sensitive,
			CreatedAt: dbTime(o.CreatedAt), UpdatedAt: dbTime(o.UpdatedAt)}
	case *state.Volume:
		if o == nil {
			break
		}
		t, id = volumeTable, o.ID
		row = &volumeRow{Stack: stack, ID: o.ID, Address: o.Address, Name: o.Name, Pool: o.Pool,
			Size: int64(o.SizeGiB), Status: o.Status, StatusReason: o.StatusReason, TypeID: o.TypeID,
			AvailabilityZone: o.AvailabilityZone, SourceKind: o.SourceKind, SourceID: o.SourceID, SourceAddress: o.SourceAddress,
			Description: o.Description, Metadata: o.Metadata, Sensitive: o.Sensitive, ProviderLocation: o.ProviderLocation,
			RevertedTo: o.RevertedTo, CreatedAt: dbTime(o.CreatedAt), UpdatedAt: dbTime(o.UpdatedAt)}
	case *state.Snapshot:
		if o == nil {
			break
		}
		t, id = snapshotTable, o.ID
		row = &snapshotRow{Stack: stack, ID: o.ID, Address: o.Address, Name: o.Name, VolumeID: o.VolumeID,
			Pool: o.Pool, Size: int64(o.SizeGiB), Status: o.Status, StatusReason: o.StatusReason,
			Description: o.Description, Metadata: o.Metadata, Sensitive: o.Sensitive, ProviderLocation: o.ProviderLocation,
			CreatedAt: dbTime(o.CreatedAt), UpdatedAt: dbTime(o.UpdatedAt)}
	case *state.Backup:
		if o == nil {
			break
		}
		t, id = backupTable, o.ID
		row = backupRowOf(stack, o)
	default:
		return t, nil, fmt.Errorf("cannot record object of type %T", obj)
	}
	if row == nil {
		return t, nil, fmt.Errorf("cannot record a nil %T", obj)
	}
	if id == "" {
		return t, nil, fmt.Errorf("%s %q has no ID", t.kind, obj.ObjectAddress())
	}
	return t, row, nil
}

func (r *poolRow) object() *state.Pool {
	return &state.Pool{ID: r.ID, Address: r.Address, Backend: r.Backend, Name: r.Name, Driver: r.Driver,
		AvailabilityZone: r.AvailabilityZone, Stats: json.RawMessage(r.Stats), UpdatedAt: time.Time(r.UpdatedAt)}
}

func (r *qosRow) object() *state.QoS {
	return &state.QoS{ID: r.ID, Address: r.Address, Name: r.Name, Consumer: r.Consumer, Specs: r.Specs,
		Sensitive: r.Sensitive, CreatedAt: time.Time(r.CreatedAt), UpdatedAt: time.Time(r.UpdatedAt)}
}

func (r *volumeTypeRow) object() *state.VolumeType {
	return &state.VolumeType{ID: r.ID, Address: r.Address, Name: r.Name, Description: r.Description,
		ExtraSpecs: r.ExtraSpecs, QoSID: r.QoSID, Sensitive: r.Sensitive, CreatedAt: time.Time(r.CreatedAt), UpdatedAt: time.Time(r.UpdatedAt)}
}

func (r *volumeRow) object() *state.Volume {
	return &state.Volume{ID: r.ID, Address: r.Address, Name: r.Name, Pool: r.Pool, SizeGiB: int(r.Size),
		Status: r.Status, StatusReason: r.StatusReason, TypeID: r.TypeID, AvailabilityZone: r.AvailabilityZone,
		SourceKind: r.SourceKind, SourceID: r.SourceID, SourceAddress: r.SourceAddress, Description: r.Description, Metadata: r.Metadata,
		Sensitive: r.Sensitive, ProviderLocation: r.ProviderLocation, RevertedTo: r.RevertedTo,
		CreatedAt: time.Time(r.CreatedAt), UpdatedAt: time.Time(r.UpdatedAt)}
}

func (r *snapshotRow) object() *state.Snapshot {
	return &state.Snapshot{ID: r.ID, Address: r.Address, Name: r.Name, VolumeID: r.VolumeID, Pool: r.Pool,
		SizeGiB: int(r.Size), Status: r.Status, StatusReason: r.StatusReason, Description: r.Description,
		Metadata: r.Metadata, Sensitive: r.Sensitive, ProviderLocation: r.ProviderLocation,
		CreatedAt: time.Time(r.CreatedAt), UpdatedAt: time.Time(r.UpdatedAt)}
}

type backupRow struct {
	Stack            string `db:"stack"`
	ID               string `db:"id"`
	Address          string `db:"address"`
	Name             string `db:"name"`
	Policy           string `db:"policy"`
	VolumeID         string `db:"volume_id"`
	Repository       string `db:"repository"`
	RepositoryPath   string `db:"repository_path"`
	ParentID         string `db:"parent_id"`
	Incremental      bool   `db:"incremental"`
	SizeBytes        int64  `db:"size_bytes"`
	StoredBytes      int64  `db:"stored_bytes"`
	Status           string `db:"status"`
	StatusReason     string `db:"status_reason"`
	Description      string `db:"description"`
	ManifestLocation string `db:"manifest_location"`
	Sensitive        dbList `db:"sensitive"`
	CreatedAt        dbTime `db:"created_at"`
	UpdatedAt        dbTime `db:"updated_at"`
}

func backupRowOf(stack string, o *state.Backup) *backupRow {
	return &backupRow{Stack: stack, ID: o.ID, Address: o.Address, Name: o.Name, Policy: o.Policy,
		VolumeID: o.VolumeID, Repository: o.Repository, RepositoryPath: o.RepositoryPath, ParentID: o.ParentID,
		Incremental: o.Incremental, SizeBytes: o.SizeBytes, StoredBytes: o.StoredBytes, Status: o.Status, StatusReason: o.StatusReason,
		Description: o.Description, ManifestLocation: o.ManifestLocation, Sensitive: o.Sensitive,
		CreatedAt: dbTime(o.CreatedAt), UpdatedAt: dbTime(o.UpdatedAt)}
}

func (r *backupRow) object() *state.Backup {
	return &state.Backup{ID: r.ID, Address: r.Address, Name: r.Name, Policy: r.Policy, VolumeID: r.VolumeID,
		Repository: r.Repository, RepositoryPath: r.RepositoryPath, ParentID: r.ParentID,
		Incremental: r.Incremental, SizeBytes: r.SizeBytes, StoredBytes: r.StoredBytes, Status: r.Status, StatusReason: r.StatusReason,
		Description: r.Description, ManifestLocation: r.ManifestLocation, Sensitive: r.Sensitive,
		CreatedAt: time.Time(r.CreatedAt), UpdatedAt: time.Time(r.UpdatedAt)}
}
