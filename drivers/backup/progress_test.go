package backup

import (
	"testing"
	"time"
)

func TestMeter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := NewMeter(func() time.Time { return now })
	if r := m.Reading(); r.Rate != 0 || r.ETA != -1 || r.Fraction() != 1 {
		t.Errorf("before any progress: %+v", r)
	}
	const MiB = 1 << 20
	steps := []struct {
		name     string
		after    time.Duration
		done     int64
		wantRate float64 // MiB/s
		wantETA  time.Duration
	}{
		{"100 MiB in the first second", time.Second, 100 * MiB, 100, 9 * time.Second},
		{"the rate is the average over the window", time.Second, 300 * MiB, 150, 700 * time.Second / 150},
		// Window 2 s..12 s: 100 MiB in 10 s, 600 MiB left.
		{"after the window only the last ten seconds count", 10 * time.Second, 400 * MiB, 10, 60 * time.Second},
	}
	const total = 1000 * MiB
	for _, s := range steps {
		now = now.Add(s.after)
		m.Progress(s.done, total)
		r := m.Reading()
		if got := r.Rate / MiB; got < s.wantRate-0.01 || got > s.wantRate+0.01 {
			t.Errorf("%s: rate %.2f MiB/s, want %.2f", s.name, got, s.wantRate)
		}
		if d := r.ETA - s.wantETA; d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("%s: ETA %v, want %v", s.name, r.ETA, s.wantETA)
		}
	}
	now = now.Add(time.Second)
	m.Progress(total, total)
	if r := m.Reading(); r.ETA != 0 || r.Fraction() != 1 || r.Elapsed != 13*time.Second {
		t.Errorf("at the end: %+v", r)
	}
}
