package backup

import (
	"sync"
	"time"
)

// Meter is a Progress that keeps what a renderer needs: bytes done out of
// the total, the recent rate and the time left. It draws nothing; a
// renderer (a bar on a terminal, a line every few seconds in CI logs)
// reads it with Reading from its own goroutine.
type Meter struct {
	now   func() time.Time
	mu    sync.Mutex
	start time.Time
	done  int64
	total int64
	// samples of (time, done) over the last window, oldest first.
	samples []sample
}

type sample struct {
	at   time.Time
	done int64
}

// rateWindow is how far back the rate looks: long enough to smooth out
// one slow object, short enough to follow a change of speed.
const rateWindow = 10 * time.Second

// NewMeter starts a meter; now is the clock (nil means time.Now).
func NewMeter(now func() time.Time) *Meter {
	if now == nil {
		now = time.Now
	}
	m := &Meter{now: now}
	m.start = now()
	m.samples = []sample{{at: m.start}}
	return m
}

// Progress implements Progress.
func (m *Meter) Progress(done, total int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.now()
	m.done, m.total = done, total
	m.samples = append(m.samples, sample{at: t, done: done})
	// Keep one sample at or before the window's start, so the rate always
	// spans the whole window once there is one.
	cut := 0
	for cut+1 < len(m.samples) && t.Sub(m.samples[cut+1].at) >= rateWindow {
		cut++
	}
	m.samples = m.samples[cut:]
}

// Reading is a meter's state at one moment.
type Reading struct {
	Done, Total int64
	Elapsed     time.Duration
	// Rate is bytes per second over the last ten seconds (0 until some
	// time has passed); ETA is the time left at that rate, or -1 when
	// unknown.
	Rate float64
	ETA  time.Duration
}

// Fraction is done/total in [0, 1] (1 when the total is 0).
func (r Reading) Fraction() float64 {
	if r.Total <= 0 {
		return 1
	}
	return min(1, float64(r.Done)/float64(r.Total))
}

// Reading returns the current state.
func (m *Meter) Reading() Reading {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.now()
	r := Reading{Done: m.done, Total: m.total, Elapsed: t.Sub(m.start), ETA: -1}
	first := m.samples[0]
	if span := t.Sub(first.at); span > 0 && m.done > first.done {
		r.Rate = float64(m.done-first.done) / span.Seconds()
	}
	if r.Rate > 0 {
		r.ETA = time.Duration(float64(max(0, m.total-m.done)) / r.Rate * float64(time.Second))
	} else if m.total > 0 && m.done >= m.total {
		r.ETA = 0
	}
	return r
}
