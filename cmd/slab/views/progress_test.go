package views

import (
	"strings"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestProgressLinesInLogsComeAtIntervalsAndAtTheEnd(t *testing.T) {
	var out strings.Builder
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	p := &Progress{W: &out, Label: "backup.weekly: backing up", Interval: 10 * time.Second, Now: clk.now}
	const total = 100 << 20
	for i := int64(0); i <= 50; i++ { // 2 MiB/s for 50 s, a call per second
		p.Progress(i*(2<<20), total)
		clk.t = clk.t.Add(time.Second)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		"backup.weekly: backing up  20% 20.0 MiB / 100.0 MiB, 2.0 MiB/s, ETA 40s",
		"backup.weekly: backing up  40% 40.0 MiB / 100.0 MiB, 2.0 MiB/s, ETA 30s",
		"backup.weekly: backing up  60% 60.0 MiB / 100.0 MiB, 2.0 MiB/s, ETA 20s",
		"backup.weekly: backing up  80% 80.0 MiB / 100.0 MiB, 2.0 MiB/s, ETA 10s",
		"backup.weekly: backing up 100% 100.0 MiB / 100.0 MiB, 2.0 MiB/s, took 50s",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if strings.Contains(out.String(), "\r") || strings.Contains(out.String(), "\x1b") {
		t.Error("log output holds terminal control characters")
	}
}

func TestProgressOnATerminalRedrawsOneBar(t *testing.T) {
	var out strings.Builder
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	p := &Progress{W: &out, Label: "restore", Terminal: true, Now: clk.now}
	p.Progress(0, 1<<30)
	clk.t = clk.t.Add(4 * time.Second)
	p.Progress(1<<29, 1<<30)
	clk.t = clk.t.Add(4 * time.Second)
	p.Progress(1<<30, 1<<30)
	s := out.String()
	if n := strings.Count(s, "\n"); n != 1 || !strings.HasSuffix(s, "\n") {
		t.Errorf("want one line ended once, at completion; got %q", s)
	}
	if !strings.Contains(s, "\rrestore [===============               ]  50% 512.0 MiB / 1.0 GiB, 128.0 MiB/s, ETA 4s\x1b[K") {
		t.Errorf("half-way bar missing from %q", s)
	}
	if !strings.Contains(s, "[==============================] 100% 1.0 GiB / 1.0 GiB") {
		t.Errorf("full bar missing from %q", s)
	}
}

func TestShortOperationsLogOnlyTheirLastLine(t *testing.T) {
	var out strings.Builder
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	p := &Progress{W: &out, Label: "verify", Now: clk.now}
	p.Progress(0, 4096)
	clk.t = clk.t.Add(time.Second)
	p.Progress(4096, 4096)
	if got := strings.TrimSpace(out.String()); got != "verify 100% 4.0 KiB / 4.0 KiB, 4.0 KiB/s, took 1s" {
		t.Errorf("got %q", got)
	}
}

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB", 5 << 30: "5.0 GiB", 3 << 40: "3.0 TiB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestProgressRateFollowsRecentSpeed(t *testing.T) {
	var out strings.Builder
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	p := &Progress{W: &out, Label: "backup", Interval: 30 * time.Second, Now: clk.now}
	const total = 1 << 30
	done := int64(0)
	for i := 0; i < 30; i++ { // 10 MiB/s for 20 s, then 1 MiB/s
		p.Progress(done, total)
		clk.t = clk.t.Add(time.Second)
		if i < 20 {
			done += 10 << 20
		} else {
			done += 1 << 20
		}
	}
	p.Progress(done, total)
	line := strings.TrimSpace(out.String())
	if !strings.Contains(line, "1.0 MiB/s") {
		t.Errorf("line %q: want the rate of the last ten seconds, 1.0 MiB/s, not the average", line)
	}
}
