package views

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/slab-storage/slab/state"
)

// BackupRow is one backup as `slab backup list` shows it.
type BackupRow struct {
	Address     string    `json:"address"`
	ID          string    `json:"id"`
	Volume      string    `json:"volume"` // address, or the ID of a volume no longer recorded
	VolumeID    string    `json:"volume_id"`
	Policy      string    `json:"policy,omitempty"`
	Repository  string    `json:"repository"`
	Parent      string    `json:"parent_id,omitempty"`
	Incremental bool      `json:"incremental"`
	SizeBytes   int64     `json:"size_bytes"`
	StoredBytes int64     `json:"stored_bytes"`
	Status      string    `json:"status"`
	Reason      string    `json:"status_reason,omitempty"`
	Created     time.Time `json:"created"`
	Description string    `json:"description,omitempty"`
}

// BackupRows lists the recorded backups, oldest first. Sensitive
// descriptions are left out.
func BackupRows(rec *state.State) []BackupRow {
	addressOf := rec.AddressIndex()
	out := []BackupRow{}
	for _, b := range rec.Backups {
		vol := addressOf(b.VolumeID)
		if vol == "" {
			vol = b.VolumeID
		}
		r := BackupRow{Address: b.Address, ID: b.ID, Volume: vol, VolumeID: b.VolumeID, Policy: b.Policy,
			Repository: b.Repository, Parent: b.ParentID, Incremental: b.ParentID != "", SizeBytes: b.SizeBytes,
			StoredBytes: b.StoredBytes, Status: b.Status, Reason: b.StatusReason, Created: b.CreatedAt.UTC(), Description: b.Description}
		for _, s := range b.Sensitive {
			if s == "description" {
				r.Description = ""
			}
		}
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// WriteBackups prints the backups as a table: chains read top to bottom.
func WriteBackups(w io.Writer, rows []BackupRow) {
	if len(rows) == 0 {
		fmt.Fprintln(w, "No backups are recorded.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ADDRESS\tID\tVOLUME\tKIND\tSIZE\tSTORED\tSTATUS\tCREATED")
	for _, r := range rows {
		kind := "full"
		if r.Incremental {
			kind = "incr. on " + shortID(r.Parent)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Address, shortID(r.ID), r.Volume, kind,
			Bytes(r.SizeBytes), Bytes(r.StoredBytes), r.Status, r.Created.Format(time.RFC3339))
	}
	tw.Flush()
}

// shortID keeps IDs readable in tables; `-json` has them whole.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
