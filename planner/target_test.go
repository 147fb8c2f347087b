package planner

import "testing"

func TestATargetSelectsItsInstanceOrEveryInstanceOfItsBlock(t *testing.T) {
	for _, tt := range []struct {
		target, address string
		want            bool
	}{
		{"volume.db", "volume.db", true},
		{"volume.db", `volume.db["a"]`, true},
		{"volume.db", "volume.db[0]", true},
		{`volume.db["a"]`, `volume.db["a"]`, true},
		{`volume.db["a"]`, `volume.db["b"]`, false},
		{"volume.db", "volume.dbx", false},
		{"volume.db", "volume.db-copy", false},
		{"volume", "volume.db", false},
	} {
		if got := targets(tt.target, tt.address); got != tt.want {
			t.Errorf("targets(%q, %q) = %v, want %v", tt.target, tt.address, got, tt.want)
		}
	}
}

func TestATriggerSplitsIntoItsInstanceAndAttribute(t *testing.T) {
	for _, tt := range []struct{ trigger, addr, attr string }{
		{"volume.a", "volume.a", ""},
		{"volume.a.size", "volume.a", "size"},
		{`volume.db["x.y"]`, `volume.db["x.y"]`, ""},
		{`volume.db["x.y"].size`, `volume.db["x.y"]`, "size"},
		{"volume.db[2].metadata", "volume.db[2]", "metadata"},
	} {
		addr, attr := splitTrigger(tt.trigger)
		if addr != tt.addr || attr != tt.attr {
			t.Errorf("splitTrigger(%q) = %q, %q; want %q, %q", tt.trigger, addr, attr, tt.addr, tt.attr)
		}
	}
}
