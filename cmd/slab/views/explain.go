package views

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/slab-storage/slab/planner/schedule"
)

// WriteExplanation prints a scheduling decision: every pool, ranked, with
// its per-weigher scores, then every rejected pool with the filter that
// rejected it and why.
func WriteExplanation(w io.Writer, exp *schedule.Explanation) {
	req := exp.Request
	what := fmt.Sprintf("%d GiB", req.SizeGiB)
	if req.OldSizeGiB > 0 {
		what = fmt.Sprintf("extend %d → %d GiB", req.OldSizeGiB, req.SizeGiB)
	}
	if req.VolumeType != "" {
		what += ", type " + req.VolumeType
	}
	if req.AvailabilityZone != "" {
		what += ", zone " + req.AvailabilityZone
	}
	name := req.Address
	if name == "" {
		name = "the request"
	}
	fmt.Fprintf(w, "Placement of %s (%s):\n\n", name, what)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  POOL\tRESULT\tWEIGHT\tDETAIL")
	for _, wd := range exp.Ranked() {
		result := "passed"
		if wd.Pool == exp.Chosen {
			result = "chosen"
		}
		var scores []string
		for _, s := range wd.Scores {
			score := fmt.Sprintf("%s %s × %.3f (raw %s)", s.Weigher, trimFloat(s.Multiplier), s.Normalized, trimFloat(s.Raw))
			if s.Reason != "" {
				score += " [" + s.Reason + "]"
			}
			scores = append(scores, score)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%.3f\t%s\n", wd.Pool, result, wd.Total, strings.Join(scores, "; "))
	}
	for _, r := range exp.Rejected {
		fmt.Fprintf(tw, "  %s\trejected\t-\t%s: %s\n", r.Pool, r.Filter, r.Reason)
	}
	tw.Flush()
	if exp.Chosen == "" {
		fmt.Fprintln(w, "\nNo pool passed every filter.")
	}
}

func trimFloat(f float64) string {
	s := fmt.Sprintf("%.2f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}
