package planner

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slab-storage/slab/state"
)

var day0 = time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)

func bk(id, parent string, created time.Time) *state.Backup {
	return &state.Backup{ID: id, ParentID: parent, VolumeID: "vol-1", Repository: "backup_repository.nas",
		Address: `backup_policy.db["` + id + `"]`, Policy: "backup_policy.db",
		Status: BackupAvailable, SizeBytes: 10 << 30, CreatedAt: created}
}

func ids(bs []*state.Backup) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.ID
	}
	return out
}

// simulatePolicy runs a policy's plan/apply cycle at each of the times:
// take what is due (chained as the policy says), then prune beyond keep.
// It checks after every apply that no remaining backup lost its parent.
func simulatePolicy(t *testing.T, times []time.Time, every time.Duration, keep int, incremental bool, size func(int) int64) (live []*state.Backup, taken, pruned []string) {
	t.Helper()
	for i, now := range times {
		due := PolicyDue(live, every, now)
		if due {
			parent, _ := PolicyBackupKind(live, "vol-1", "backup_repository.nas", size(i), incremental, keep)
			b := bk(fmt.Sprintf("b%02d", i), parent, now)
			b.SizeBytes = size(i)
			live = append(live, b)
			taken = append(taken, b.ID)
		}
		prune, _ := PolicyPrune(live, live, keep, false)
		for _, p := range prune {
			pruned = append(pruned, p.ID)
			live = slices.DeleteFunc(live, func(b *state.Backup) bool { return b.ID == p.ID })
		}
		have := map[string]bool{}
		for _, b := range live {
			have[b.ID] = true
		}
		for _, b := range live {
			if b.ParentID != "" && !have[b.ParentID] {
				t.Fatalf("apply %d at %s orphaned %s: its parent %s was pruned", i, now, b.ID, b.ParentID)
			}
		}
	}
	return live, taken, pruned
}

func hoursFrom(start time.Time, hours ...int) []time.Time {
	out := make([]time.Time, len(hours))
	for i, h := range hours {
		out[i] = start.Add(time.Duration(h) * time.Hour)
	}
	return out
}

func TestPolicyTakesBackupsOnlyWhenDue(t *testing.T) {
	// Applies at 0h, 5h, 23h59m (not due), 24h (due), 30h, 48h (due).
	times := append(hoursFrom(day0, 0, 5), day0.Add(24*time.Hour-time.Minute))
	times = append(times, hoursFrom(day0, 24, 30, 48)...)
	_, taken, pruned := simulatePolicy(t, times, 24*time.Hour, 7, false, func(int) int64 { return 10 << 30 })
	if want := []string{"b00", "b03", "b05"}; !slices.Equal(taken, want) {
		t.Errorf("taken = %v, want %v", taken, want)
	}
	if len(pruned) != 0 {
		t.Errorf("pruned %v with fewer than keep backups", pruned)
	}
}

func TestFullBackupPolicyKeepsTheNewestKeep(t *testing.T) {
	var times []time.Time
	for d := 0; d < 10; d++ {
		times = append(times, day0.Add(time.Duration(d)*24*time.Hour))
	}
	live, taken, pruned := simulatePolicy(t, times, 24*time.Hour, 3, false, func(int) int64 { return 10 << 30 })
	if len(taken) != 10 {
		t.Errorf("took %d backups in 10 daily applies, want 10", len(taken))
	}
	if got, want := ids(live), []string{"b07", "b08", "b09"}; !slices.Equal(got, want) {
		t.Errorf("live = %v, want %v", got, want)
	}
	if want := []string{"b00", "b01", "b02", "b03", "b04", "b05", "b06"}; !slices.Equal(pruned, want) {
		t.Errorf("pruned = %v, want %v", pruned, want)
	}
}

func TestIncrementalPolicyStartsNewChainsAndPrunesWholeOldChains(t *testing.T) {
	var times []time.Time
	for d := 0; d < 9; d++ {
		times = append(times, day0.Add(time.Duration(d)*24*time.Hour))
	}
	live, _, pruned := simulatePolicy(t, times, 24*time.Hour, 3, true, func(int) int64 { return 10 << 30 })
	// Chains of three: b00←b01←b02, b03←b04←b05, b06←b07←b08. Keeping the
	// newest three keeps exactly the last chain.
	if got, want := ids(live), []string{"b06", "b07", "b08"}; !slices.Equal(got, want) {
		t.Errorf("live = %v, want %v", got, want)
	}
	for _, b := range live {
		if b.ID == "b06" && b.ParentID != "" || b.ID == "b07" && b.ParentID != "b06" || b.ID == "b08" && b.ParentID != "b07" {
			t.Errorf("%s chains to %q", b.ID, b.ParentID)
		}
	}
	// A chain goes only once none of it is needed: dependents first.
	if want := []string{"b02", "b01", "b00", "b05", "b04", "b03"}; !slices.Equal(pruned, want) {
		t.Errorf("pruned = %v, want %v", pruned, want)
	}
}

func TestPruneNeverDeletesAParentAKeptBackupNeeds(t *testing.T) {
	// b0 ← b1 ← b2 ← b3, keep 2: b2 and b3 are kept and need b1 and b0.
	all := []*state.Backup{bk("b0", "", day0), bk("b1", "b0", day0.Add(time.Hour)),
		bk("b2", "b1", day0.Add(2*time.Hour)), bk("b3", "b2", day0.Add(3*time.Hour))}
	prune, kept := PolicyPrune(all, all, 2, false)
	if len(prune) != 0 {
		t.Errorf("pruned %v out of a chain whose newest is kept", ids(prune))
	}
	if got, want := ids(kept), []string{"b1", "b0"}; !slices.Equal(got, want) {
		t.Errorf("kept past keep = %v, want %v", got, want)
	}
}

func TestPruneHonoursChainsFromBackupsOutsideThePolicy(t *testing.T) {
	mine := []*state.Backup{bk("p0", "", day0), bk("p1", "", day0.Add(24*time.Hour))}
	block := bk("weekly", "p0", day0.Add(time.Hour)) // a backup block chained to the policy's backup
	block.Policy, block.Address = "", "backup.weekly"
	prune, _ := PolicyPrune(mine, append(slices.Clone(mine), block), 1, false)
	if len(prune) != 0 {
		t.Errorf("pruned %v although backup.weekly chains to p0", ids(prune))
	}
}

func TestPruneCountsTheBackupAboutToBeTaken(t *testing.T) {
	all := []*state.Backup{bk("b0", "", day0), bk("b1", "", day0.Add(24*time.Hour))}
	prune, _ := PolicyPrune(all, all, 2, true)
	if got := ids(prune); !slices.Equal(got, []string{"b0"}) {
		t.Errorf("prune = %v, want [b0] to make room for the new backup", got)
	}
}

func TestFailedBackupsAreNotDueAnchorsAndArePruned(t *testing.T) {
	failed := bk("b1", "", day0.Add(24*time.Hour))
	failed.Status = BackupError
	all := []*state.Backup{bk("b0", "", day0), failed}
	if !PolicyDue(all, 24*time.Hour, day0.Add(25*time.Hour)) {
		t.Error("a failed backup made the policy not due")
	}
	prune, _ := PolicyPrune(all, all, 5, false)
	if got := ids(prune); !slices.Equal(got, []string{"b1"}) {
		t.Errorf("prune = %v, want the failed backup", got)
	}
}

func TestIncrementalOfAGrownVolumeIsFullAndSaysWhy(t *testing.T) {
	all := []*state.Backup{bk("b0", "", day0)}
	parent, note := PolicyBackupKind(all, "vol-1", "backup_repository.nas", 20<<30, true, 7)
	if parent != "" || !strings.Contains(note, "grew") {
		t.Errorf("parent %q, note %q; want a full backup noting the volume grew", parent, note)
	}
	parent, note = PolicyBackupKind(all, "vol-1", "backup_repository.nas", 10<<30, true, 7)
	if parent != "b0" || note != "" {
		t.Errorf("parent %q, note %q; want an incremental on b0", parent, note)
	}
	parent, _ = PolicyBackupKind(all, "vol-1", "backup_repository.other", 10<<30, true, 7)
	if parent != "" {
		t.Errorf("chained to %q in another repository", parent)
	}
}

func TestChainParentIsTheNewestAvailableBackupOfTheVolume(t *testing.T) {
	failed := bk("b2", "b1", day0.Add(2*time.Hour))
	failed.Status = BackupError
	other := bk("x", "", day0.Add(3*time.Hour))
	other.VolumeID = "vol-2"
	all := []*state.Backup{bk("b0", "", day0), bk("b1", "b0", day0.Add(time.Hour)), failed, other}
	if p := ChainParent(all, "vol-1", "backup_repository.nas"); p == nil || p.ID != "b1" {
		t.Errorf("parent = %v, want b1", p)
	}
}

func TestDeletingABackupWithDependents(t *testing.T) {
	all := []*state.Backup{bk("b0", "", day0), bk("b1", "b0", day0.Add(time.Hour)), bk("b2", "b1", day0.Add(2*time.Hour)),
		bk("c0", "", day0.Add(3*time.Hour))}
	for _, tc := range []struct {
		name     string
		deleting []string
		want     []string // order, when allowed
		needed   string   // in the refusal, when refused
	}{
		{"alone is refused, naming the dependent", []string{"b0"}, nil, `backup_policy.db["b0"] (b0) has dependent incremental backups backup_policy.db["b1"] (b1)`},
		{"with only some dependents is refused", []string{"b0", "b1"}, nil, `(b1) has dependent incremental backups backup_policy.db["b2"] (b2)`},
		{"with all dependents goes dependents first", []string{"b0", "b2", "b1"}, []string{"b2", "b1", "b0"}, ""},
		{"of the newest incremental alone is allowed", []string{"b2"}, []string{"b2"}, ""},
		{"of an unrelated full backup is allowed", []string{"c0"}, []string{"c0"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := OrderBackupDeletions(all, tc.deleting)
			var de *DependentsError
			switch {
			case tc.needed != "":
				if !errors.As(err, &de) || !strings.Contains(err.Error(), tc.needed) {
					t.Errorf("err = %v, want a refusal containing %q", err, tc.needed)
				}
			case err != nil:
				t.Errorf("refused: %v", err)
			case !slices.Equal(ids(got), tc.want):
				t.Errorf("order = %v, want %v", ids(got), tc.want)
			}
		})
	}
}

func TestDependentsFirstSurvivesEqualAndSkewedClocks(t *testing.T) {
	// The child's clock reads earlier than its parent's.
	all := []*state.Backup{bk("a", "", day0.Add(time.Hour)), bk("b", "a", day0), bk("c", "b", day0)}
	if got := ids(DependentsFirst(all)); !slices.Equal(got, []string{"c", "b", "a"}) {
		t.Errorf("order = %v, want [c b a]", got)
	}
}
