package state

import "time"

// KindBackup is a backup kept in a backup repository.
const KindBackup Kind = "backup"

// Backup is a recorded backup: where its manifest lives and the chain it
// belongs to. The repository holds the data; this row is what plans,
// policies and restores reason about.
type Backup struct {
	ID      string `json:"id"`
	Address string `json:"address"` // backup.x, or the backup_policy that took it
	Name    string `json:"name"`
	// Policy is the backup_policy address that took the backup, "" for a
	// backup block.
	Policy   string `json:"policy,omitempty"`
	VolumeID string `json:"volume_id"`
	// Repository is the backup_repository address; RepositoryPath its
	// location when the backup was taken (a repository may move later).
	Repository     string `json:"repository"`
	RepositoryPath string `json:"repository_path"`
	// ParentID is the backup this incremental chains to, "" for a full one.
	ParentID string `json:"parent_id,omitempty"`
	// Incremental is what was asked for: an incremental backup with no
	// usable parent is taken full and keeps asking.
	Incremental bool `json:"incremental,omitempty"`
	// SizeBytes is the volume's size when it was backed up; StoredBytes
	// what the backup's objects take in the repository.
	SizeBytes    int64  `json:"size_bytes"`
	StoredBytes  int64  `json:"stored_bytes"`
	Status       string `json:"status"`
	StatusReason string `json:"status_reason,omitempty"`
	Description  string `json:"description,omitempty"`
	// ManifestLocation names the manifest in the repository.
	ManifestLocation string    `json:"manifest_location,omitempty"`
	Sensitive        []string  `json:"sensitive,omitempty"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

func (o *Backup) ObjectKind() Kind      { return KindBackup }
func (o *Backup) ObjectID() string      { return o.ID }
func (o *Backup) ObjectAddress() string { return o.Address }
