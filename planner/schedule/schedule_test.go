package schedule

import (
	"errors"
	"strings"
	"testing"

	"github.com/slab-storage/slab/drivers"
)

func pool(name string, total, free, provisioned float64, mutate ...func(*PoolState)) *PoolState {
	p := &PoolState{Name: name, Backend: strings.Split(name, "#")[0], AvailabilityZone: "az1", Stats: drivers.PoolStats{
		TotalCapacityGB: drivers.GiB(total), FreeCapacityGB: drivers.GiB(free), ProvisionedCapacityGB: provisioned,
		ThinProvisioningSupport: true, ThickProvisioningSupport: true, MaxOverSubscriptionRatio: "20.0",
	}}
	for _, m := range mutate {
		m(p)
	}
	return p
}

func TestCapacityFilter(t *testing.T) {
	thick := map[string]string{"provisioning:type": "thick"}
	tests := []struct {
		name   string
		pool   *PoolState
		size   int
		specs  map[string]string
		pass   bool
		reason string
	}{
		{"a thin pool passes while virtual free space covers the size", pool("a#p", 100, 10, 500), 100, nil, true, ""},
		{"a thin pool fails once provisioned reaches total times the ratio", pool("a#p", 100, 10, 1990), 20, nil, false, "virtually free"},
		{"a thick request counts real free space only", pool("a#p", 100, 10, 50), 20, thick, false, "thick"},
		{"a thick request fits in free space", pool("a#p", 100, 30, 50), 20, thick, true, ""},
		{"reserved percentage is taken off the total first", pool("a#p", 100, 100, 0, func(p *PoolState) {
			p.Stats.ReservedPercentage = 50
		}), 60, thick, false, "reserved 50%"},
		{"infinite free capacity always passes", pool("a#p", 0, 0, 0, func(p *PoolState) {
			p.Stats.FreeCapacityGB = drivers.Capacity{Infinite: true}
		}), 1000, nil, true, ""},
		{"unknown total passes only without reserved space", pool("a#p", 0, 10, 0, func(p *PoolState) {
			p.Stats.TotalCapacityGB = drivers.Capacity{Unknown: true}
			p.Stats.ReservedPercentage = 10
		}), 1, nil, false, "reserved"},
		{"a pool with no total capacity fails", pool("a#p", 0, 0, 0), 1, nil, false, "total capacity is 0"},
		{"a ratio below one fails thin requests", pool("a#p", 100, 100, 0, func(p *PoolState) {
			p.Stats.MaxOverSubscriptionRatio = "0.5"
		}), 1, nil, false, "below 1"},
		{"a pool without thin support is treated as thick", pool("a#p", 100, 5, 0, func(p *PoolState) {
			p.Stats.ThinProvisioningSupport = false
		}), 10, nil, false, "thick"},
		{"a zero-size request passes anything", pool("a#p", 0, 0, 0), 0, nil, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, reason := CapacityFilter{}.Filter(tt.pool, &Request{SizeGiB: tt.size, ExtraSpecs: tt.specs})
			if ok != tt.pass {
				t.Fatalf("pass = %v (reason %q), want %v", ok, reason, tt.pass)
			}
			if !strings.Contains(reason, tt.reason) {
				t.Errorf("reason %q does not mention %q", reason, tt.reason)
			}
		})
	}
}

func TestOverSubscriptionRatio(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		prov float64
		want float64
	}{
		{"absent means Cinder's default of 20", "", 0, 20},
		{"zero means the default too", "0", 0, 20},
		{"a number is used as is", "1.5", 0, 1.5},
		{"auto with nothing provisioned is 20", "auto", 0, 20},
		{"auto is one plus provisioned over used plus one", "auto", 90, 1 + 90.0/(100-10+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := pool("a#p", 100, 10, tt.prov)
			p.Stats.MaxOverSubscriptionRatio = tt.raw
			if got := OverSubscriptionRatio(p.Stats); got != tt.want {
				t.Errorf("ratio = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPlaceChoosesMostVirtualFreeAndExplains(t *testing.T) {
	pools := []*PoolState{
		pool("a#small", 100, 90, 1900),
		pool("b#big", 1000, 900, 0),
		pool("c#other-zone", 5000, 5000, 0, func(p *PoolState) { p.AvailabilityZone = "az2" }),
	}
	chosen, exp, err := Default().Place(pools, Request{Address: "volume.x", SizeGiB: 50, AvailabilityZone: "az1"})
	if err != nil {
		t.Fatal(err)
	}
	if chosen.Name != "b#big" || exp.Chosen != "b#big" {
		t.Fatalf("chose %s, want b#big", chosen.Name)
	}
	if len(exp.Rejected) != 1 || exp.Rejected[0].Filter != "AvailabilityZoneFilter" || exp.Rejected[0].Pool != "c#other-zone" {
		t.Errorf("rejections = %+v, want c#other-zone by AvailabilityZone", exp.Rejected)
	}
	if ranked := exp.Ranked(); len(ranked) != 2 || ranked[0].Pool != "b#big" || ranked[0].Total != 1 || ranked[1].Total != 0 {
		t.Errorf("ranked weights = %+v, want b#big normalised to 1, then 0", ranked)
	}
}

func TestPlaceBreaksTiesByPoolName(t *testing.T) {
	pools := []*PoolState{pool("z#p", 100, 100, 0), pool("a#p", 100, 100, 0)}
	chosen, _, err := Default().Place(pools, Request{Address: "volume.x", SizeGiB: 1})
	if err != nil || chosen.Name != "a#p" {
		t.Fatalf("chose %v (err %v), want a#p", chosen, err)
	}
}

func TestConsumeMovesTheNextPlacement(t *testing.T) {
	pools := []*PoolState{pool("a#p", 100, 100, 0), pool("b#p", 100, 100, 0)}
	s := Default()
	var got []string
	for range 4 {
		chosen, _, err := s.Place(pools, Request{Address: "volume.x", SizeGiB: 10, ExtraSpecs: map[string]string{"provisioning:type": "thick"}})
		if err != nil {
			t.Fatal(err)
		}
		chosen.Consume(10, "")
		got = append(got, chosen.Name)
	}
	if strings.Join(got, ",") != "a#p,b#p,a#p,b#p" {
		t.Errorf("placements = %v, want them to alternate as capacity is consumed", got)
	}
}

func TestNoValidPoolNamesEveryPoolsReason(t *testing.T) {
	pools := []*PoolState{pool("a#p", 10, 1, 0), pool("b#p", 10, 10, 0, func(p *PoolState) { p.AvailabilityZone = "az9" })}
	_, _, err := Default().Place(pools, Request{Address: "volume.big", SizeGiB: 500, AvailabilityZone: "az1"})
	var nv *NoValidPoolError
	if !errors.As(err, &nv) {
		t.Fatalf("err = %v, want NoValidPoolError", err)
	}
	msg := err.Error()
	for _, want := range []string{"volume.big", "a#p: CapacityFilter", "b#p: AvailabilityZoneFilter"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not contain %q", msg, want)
		}
	}
}

func TestCapacityWeigherTreatsInfiniteAsWorstWithPositiveMultiplier(t *testing.T) {
	inf := pool("inf#p", 0, 0, 0, func(p *PoolState) { p.Stats.FreeCapacityGB = drivers.Capacity{Infinite: true} })
	w, err := CapacityWeigher{Mult: 1}.Weigh(inf, &Request{SizeGiB: 1})
	if err != nil || w != -1 {
		t.Errorf("weight = %v, %v; want -1", w, err)
	}
}

func TestAWeigherThatCannotRateAPoolSaysWhyInTheExplanation(t *testing.T) {
	s, err := New(Spec{Filters: []string{"CapacityFilter"}, Weighers: map[string]float64{"GoodnessWeigher": 1}})
	if err != nil {
		t.Fatal(err)
	}
	good := pool("a#good", 100, 100, 0, func(p *PoolState) { p.Stats.GoodnessFunction = "50" })
	broken := pool("b#broken", 100, 100, 0, func(p *PoolState) { p.Stats.GoodnessFunction = "1 / 0" })
	chosen, exp, err := s.Place([]*PoolState{good, broken}, Request{Address: "volume.v", SizeGiB: 1})
	if err != nil || chosen.Name != "a#good" {
		t.Fatalf("chose %v (%v), want a#good", chosen, err)
	}
	for _, w := range exp.Weighed {
		if w.Pool == "b#broken" && (len(w.Scores) != 1 || w.Scores[0].Reason == "" || w.Scores[0].Raw != 0) {
			t.Errorf("b#broken scores %+v, want raw 0 with a reason", w.Scores)
		}
	}
}

func TestExplanationsShareRepeatedRejectionsButKeepTheirOwnReasons(t *testing.T) {
	s := Default()
	small := pool("a#small", 10, 10, 0, func(p *PoolState) { p.Stats.ThinProvisioningSupport = false })
	big := pool("b#big", 1000, 1000, 0)
	pools := []*PoolState{small, big}
	place := func(size int) Explanation {
		t.Helper()
		chosen, exp, err := s.Place(pools, Request{Address: "volume.v", SizeGiB: size})
		if err != nil {
			t.Fatal(err)
		}
		chosen.Consume(size, "")
		return exp
	}
	first, second := place(20), place(20)
	if len(first.Rejected) != 1 || first.Rejected[0] != second.Rejected[0] {
		t.Fatalf("the same rejection of %s was not shared: %+v / %+v", small.Name, first.Rejected, second.Rejected)
	}
	third := place(30)
	if third.Rejected[0] == first.Rejected[0] || !strings.Contains(third.Rejected[0].Reason, "30") {
		t.Fatalf("a new reason reused the old rejection: %+v", third.Rejected[0])
	}
	if !strings.Contains(first.Rejected[0].Reason, "20") {
		t.Fatalf("an earlier explanation changed: %+v", first.Rejected[0])
	}
}
