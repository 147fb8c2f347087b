package schedule

// PoolResult is one pool's outcome for one request: the filter that
// rejected it and why, or its per-weigher scores and total weight.
type PoolResult struct {
	Name         string                 `json:"name"`
	Passed       bool                   `json:"passed"`
	FailedFilter string                 `json:"failed_filter"`
	Reason       string                 `json:"reason"`
	Weights      map[string]WeightScore `json:"weights"`
	Weight       float64                `json:"weight"`
}

// WeightScore is one weigher's raw and normalised score.
type WeightScore struct {
	Raw        float64 `json:"raw"`
	Normalized float64 `json:"normalized"`
}

// Results lists every pool of order with its outcome, in that order.
// Pools the explanation does not mention are left out.
func (e *Explanation) Results(order []string) []PoolResult {
	byPool := make(map[string]PoolResult, len(order))
	for _, r := range e.Rejected {
		byPool[r.Pool] = PoolResult{Name: r.Pool, FailedFilter: r.Filter, Reason: r.Reason, Weights: map[string]WeightScore{}}
	}
	for _, w := range e.Weighed {
		pr := PoolResult{Name: w.Pool, Passed: true, Weight: w.Total, Weights: make(map[string]WeightScore, len(w.Scores))}
		for _, s := range w.Scores {
			pr.Weights[s.Weigher] = WeightScore{Raw: s.Raw, Normalized: s.Normalized}
		}
		byPool[w.Pool] = pr
	}
	out := make([]PoolResult, 0, len(order))
	for _, name := range order {
		if pr, ok := byPool[name]; ok {
			out = append(out, pr)
		}
	}
	return out
}
