package schedule

import (
	"strings"
	"testing"
)

func TestGoodnessWeigher(t *testing.T) {
	tests := []struct {
		name   string
		pool   *PoolState
		req    Request
		want   float64
		reason string // "" means no error
	}{
		// Cinder's GoodnessWeigherTestCase.
		{"a pool without a function rates 0", fnPool(map[string]any{"foo": "50"}), Request{}, 0, ""},
		{"a constant 100 rates 100", fnPool(map[string]any{"goodness_function": "100"}), Request{}, 100, ""},
		{"a constant 0 rates 0", fnPool(map[string]any{"goodness_function": "0"}), Request{}, 0, ""},
		{"a division rates its float result", fnPool(map[string]any{"goodness_function": "100 / 2"}), Request{}, 50, ""},
		{"capabilities are read", fnPool(map[string]any{"foo": 50, "goodness_function": "10 + capabilities.foo"}), Request{}, 60, ""},
		{"extra specs are read", fnPool(map[string]any{"goodness_function": "10 + extra.foo"}), Request{ExtraSpecs: map[string]string{"foo": "50"}}, 60, ""},
		{"volume properties are read", fnPool(map[string]any{"goodness_function": "10 + volume.size"}), Request{SizeGiB: 50}, 60, ""},
		{"QoS specs are read", fnPool(map[string]any{"goodness_function": "10 + qos.foo"}), Request{QoSSpecs: map[string]string{"foo": "50"}}, 60, ""},
		{"a true comparison rates 100", fnPool(map[string]any{"goodness_function": "stats.free_capacity_gb > 20"}), Request{}, 100, ""},
		{"an unknown variable rates 0", fnPool(map[string]any{"goodness_function": "10 + stats.my_val"}), Request{}, 0, "unknown variable stats.my_val"},
		{"a negative rating is out of range", fnPool(map[string]any{"goodness_function": "-10"}), Request{}, 0, "outside 0..100"},
		{"a rating above 100 is out of range", fnPool(map[string]any{"goodness_function": "200"}), Request{}, 0, "outside 0..100"},
		{"division by zero rates 0", fnPool(map[string]any{"goodness_function": "50 / 0"}), Request{}, 0, "division by zero"},
		{"an untyped volume still rates", fnPool(map[string]any{"goodness_function": "67"}), Request{}, 67, ""},
		// Beyond Cinder's tests.
		{"a false comparison rates 0", fnPool(map[string]any{"goodness_function": "stats.free_capacity_gb > 2000"}), Request{}, 0, ""},
		{"a fractional rating is kept", fnPool(map[string]any{"goodness_function": "12.5"}), Request{}, 12.5, ""},
		{"a huge int is out of range", fnPool(map[string]any{"goodness_function": "10^400"}), Request{}, 0, "outside 0..100"},
		{"a string result rates 0 where Cinder would raise", fnPool(map[string]any{"goodness_function": "'50'"}), Request{}, 0, "not a number"},
		{"a NaN rates 0", fnPool(map[string]any{"goodness_function": "nan"}), Request{}, 0, "NaN"},
		{"a syntax error rates 0", fnPool(map[string]any{"goodness_function": "50 +"}), Request{}, 0, "does not parse"},
		{"the stats field is the function", fnPool(nil, func(p *PoolState) { p.Stats.GoodnessFunction = "volume.size" }), Request{SizeGiB: 30, OldSizeGiB: 20}, 20, ""},
		{"the goodness weigher's stats have no backend_id", fnPool(map[string]any{"goodness_function": "stats.backend_id == 'b#p'"}), Request{}, 0, "unknown variable stats.backend_id"},
		{"the best protocol variant counts", fnPool(map[string]any{"goodness_function": "stats.storage_protocol == 'fc' ? 80 : 20"}, withProtocol("FC")), Request{}, 80, ""},
		{"a failing variant does not spoil a good one", fnPool(map[string]any{"goodness_function": "stats.storage_protocol == 'NFS' ? 70 : 1/0"}, withProtocol("nfs")), Request{}, 70, ""},
		{"when every variant fails the first error is given", fnPool(map[string]any{"goodness_function": "stats.storage_protocol / 0"}, withProtocol("iSCSI")), Request{}, 0, "storage_protocol iSCSI"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := GoodnessWeigher{Mult: 1}.Weigh(tt.pool, &tt.req)
			if got != tt.want {
				t.Errorf("weight = %v (err %v), want %v", got, err, tt.want)
			}
			switch {
			case tt.reason == "" && err != nil:
				t.Errorf("err = %v, want none", err)
			case tt.reason != "" && (err == nil || !strings.Contains(err.Error(), tt.reason)):
				t.Errorf("err = %v, want it to mention %q", err, tt.reason)
			}
		})
	}
}

func TestGoodnessWeigherSteersPlacement(t *testing.T) {
	s, err := New(Spec{Filters: []string{}, Weighers: map[string]float64{"GoodnessWeigher": 1}})
	if err != nil {
		t.Fatal(err)
	}
	pools := []*PoolState{
		fnPool(map[string]any{"goodness_function": "volume.size < 100 ? 20 : 90"}, func(p *PoolState) { p.Name = "a#p" }),
		fnPool(map[string]any{"goodness_function": "volume.size < 100 ? 90 : 20"}, func(p *PoolState) { p.Name = "b#p" }),
	}
	chosen, exp, err := s.Place(pools, Request{Address: "volume.x", SizeGiB: 10})
	if err != nil {
		t.Fatal(err)
	}
	if chosen.Name != "b#p" {
		t.Fatalf("chose %s, want b#p", chosen.Name)
	}
	for _, w := range exp.Weighed {
		want := map[string]float64{"a#p": 20, "b#p": 90}[w.Pool]
		if len(w.Scores) != 1 || w.Scores[0].Weigher != "GoodnessWeigher" || w.Scores[0].Raw != want {
			t.Errorf("%s scores = %+v, want GoodnessWeigher raw %v", w.Pool, w.Scores, want)
		}
	}
}
