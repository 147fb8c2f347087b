package views

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/slab-storage/slab/drivers/backup"
)

// Progress renders a long operation (backup, restore, verify) as it runs:
// on a terminal a bar redrawn in place with bytes, rate and ETA; otherwise
// (CI logs) one line per Interval and a last line at the end, so logs stay
// short and readable.
type Progress struct {
	W        io.Writer
	Label    string // "backup.weekly: backing up"
	Terminal bool
	// Interval between lines when not on a terminal, and between redraws
	// on one; 0 means 10s and 200ms.
	Interval time.Duration
	// Now is the clock; nil means time.Now. Tests pass a fake one.
	Now func() time.Time

	mu    sync.Mutex
	meter *backup.Meter // rate over the last seconds, ETA at that rate
	start time.Time
	last  time.Time
	drawn bool
}

// Progress implements the engine's progress callback: done of total bytes.
func (p *Progress) Progress(done, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.meter == nil {
		p.meter = backup.NewMeter(p.now)
		p.start, p.last = now, now
	}
	p.meter.Progress(done, total)
	interval := p.Interval
	if interval == 0 {
		interval = 10 * time.Second
		if p.Terminal {
			interval = 200 * time.Millisecond
		}
	}
	final := total > 0 && done >= total
	if !final && p.drawn && now.Sub(p.last) < interval {
		return
	}
	if !final && !p.drawn && !p.Terminal && now.Sub(p.start) < interval {
		return // a short operation logs only its last line
	}
	p.last, p.drawn = now, true
	line := ProgressLine(p.Label, p.meter.Reading(), p.Terminal)
	if p.Terminal {
		fmt.Fprintf(p.W, "\r%s\x1b[K", line)
		if final {
			fmt.Fprintln(p.W)
		}
		return
	}
	fmt.Fprintln(p.W, line)
}

func (p *Progress) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// ProgressLine is one rendering: a bar (on a terminal), the percentage,
// bytes done of total, the rate over the last seconds and the time left
// at that rate (or, once done, how long it took).
func ProgressLine(label string, r backup.Reading, bar bool) string {
	var b strings.Builder
	b.WriteString(label)
	pct := 100 * r.Fraction()
	if bar {
		const width = 30
		filled := max(0, min(int(pct/100*width), width))
		fmt.Fprintf(&b, " [%s%s]", strings.Repeat("=", filled), strings.Repeat(" ", width-filled))
	}
	fmt.Fprintf(&b, " %3.0f%% %s / %s", pct, Bytes(r.Done), Bytes(r.Total))
	if r.Rate > 0 {
		fmt.Fprintf(&b, ", %s/s", Bytes(int64(r.Rate)))
	}
	switch {
	case r.Done >= r.Total && r.Elapsed > 0:
		fmt.Fprintf(&b, ", took %s", r.Elapsed.Round(100*time.Millisecond))
	case r.ETA > 0:
		fmt.Fprintf(&b, ", ETA %s", r.ETA.Round(time.Second))
	}
	return b.String()
}

// Bytes renders a byte count in binary units: "512 B", "1.5 MiB".
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
