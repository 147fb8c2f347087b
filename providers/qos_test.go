package providers

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResolveQoS(t *testing.T) {
	gold := map[string]string{"total_iops_sec_per_gb": "30", "total_iops_sec_per_gb_min": "100", "total_iops_sec_max": "1000"}
	tests := []struct {
		name  string
		specs map[string]string
		size  int
		want  map[string]int64
	}{
		{"a small volume gets the per-GB minimum", gold, 2, map[string]int64{"total_iops_sec": 100, "total_iops_sec_max": 1000}},
		{"a medium volume gets per-GB times size", gold, 10, map[string]int64{"total_iops_sec": 300, "total_iops_sec_max": 1000}},
		{"a large volume is capped at the maximum", gold, 50, map[string]int64{"total_iops_sec": 1000, "total_iops_sec_max": 1000}},
		{"plain keys pass through and junk is dropped", map[string]string{"read_bytes_sec": "1048576", "vendor:x": "fast"}, 5, map[string]int64{"read_bytes_sec": 1048576}},
		{"per-GB without min or max is per-GB times size", map[string]string{"write_iops_sec_per_gb": "7"}, 3, map[string]int64{"write_iops_sec": 21}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ResolveQoS(tt.specs, tt.size)); diff != "" {
				t.Errorf("ResolveQoS mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChangeSummaryShowsBeforeAndAfterButNeverSecrets(t *testing.T) {
	op := Op{
		Changed:   []string{"size", "metadata", "description"},
		Before:    Attrs{"size": int64(2), "metadata": map[string]string{"a": "1"}, "description": "old"},
		After:     Attrs{"size": int64(4), "metadata": map[string]string{"a": "2"}, "description": "s3cret"},
		Sensitive: []string{"description"},
	}
	got := ChangeSummary(VolumeSchema, op)
	want := `size 2 → 4; metadata {a=1} → {a=2}; description (sensitive)`
	if got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
}
