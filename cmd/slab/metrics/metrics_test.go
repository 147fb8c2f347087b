package metrics

import (
	"math"
	"testing"
	"time"
)

// gauge finds a series' value in the registry; ok is false when absent.
func gauge(t *testing.T, m *Reconcile, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	families, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	series:
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if labels[l.GetName()] != l.GetValue() {
					continue series
				}
			}
			switch {
			case s.Gauge != nil:
				return s.Gauge.GetValue(), true
			case s.Counter != nil:
				return s.Counter.GetValue(), true
			}
		}
	}
	return 0, false
}

func TestPoolCapacitySeriesFollowTheLastReport(t *testing.T) {
	total := 100.0
	tests := []struct {
		name   string
		pools  []Capacity
		kind   string
		want   float64
		absent bool
	}{
		{"a finite total is reported in GiB", []Capacity{{Pool: "b#p", Total: &total}}, "total", 100, false},
		{"an infinite total is +Inf", []Capacity{{Pool: "b#p", Total: &Infinite}}, "total", math.Inf(1), false},
		{"an unknown free capacity has no series", []Capacity{{Pool: "b#p", Total: &total}}, "free", 0, true},
		{"allocated capacity is always reported", []Capacity{{Pool: "b#p", Allocated: 3}}, "allocated", 3, false},
		{"a pool no longer reported disappears", nil, "allocated", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New()
			m.Pools([]Capacity{{Pool: "b#p", Total: &total, Free: &total, Allocated: 1}})
			m.Pools(tt.pools)
			got, ok := gauge(t, m, "slab_pool_capacity_gib", map[string]string{"pool": "b#p", "kind": tt.kind})
			if ok == tt.absent || (ok && got != tt.want) {
				t.Errorf("%s: got %v (present %v), want %v (present %v)", tt.kind, got, ok, tt.want, !tt.absent)
			}
		})
	}
}

func TestOnlyRunsThatDidNotFailCountAsSuccess(t *testing.T) {
	m := New()
	at := time.Unix(1000, 0)
	m.Run(ResultOK, at, time.Second)
	m.Run(ResultFailed, at.Add(time.Minute), time.Second)
	m.Run(ResultPending, at.Add(2*time.Minute), time.Second)
	m.Run(ResultRefused, at.Add(3*time.Minute), time.Second)
	if got, _ := gauge(t, m, "slab_reconcile_last_success_timestamp_seconds", nil); got != 1120 {
		t.Errorf("last success at %v, want 1120 (the pending run)", got)
	}
	if got, _ := gauge(t, m, "slab_reconcile_runs_total", map[string]string{"result": "failed"}); got != 1 {
		t.Errorf("failed runs %v, want 1", got)
	}
	if _, ok := gauge(t, m, "slab_reconcile_runs_total", map[string]string{"result": "interrupted"}); !ok {
		t.Errorf("no zero series for interrupted runs")
	}
}
