package schedule

import (
	"errors"
	"strings"
	"testing"
)

func TestDecodePools(t *testing.T) {
	tests := []struct {
		name  string
		input string
		field string // "" means valid
	}{
		{"a full pool decodes", `{"pools": [{"name": "b#p", "availability_zone": "az1", "total_capacity_gb": 500, "free_capacity_gb": 200,
			"provisioned_capacity_gb": 1, "allocated_capacity_gb": 2, "reserved_percentage": 5, "max_over_subscription_ratio": 20.0,
			"thin_provisioning_support": true, "thick_provisioning_support": false, "total_volumes": 3, "capabilities": {"a": {"b": 1}},
			"filter_function": "", "goodness_function": "", "volumes": ["v1"]}]}`, ""},
		{"capacities may be infinite or unknown and ratios auto", `{"pools": [{"name": "b#p", "total_capacity_gb": "infinite", "free_capacity_gb": "unknown", "max_over_subscription_ratio": "auto"}]}`, ""},
		{"a numeric string ratio is a ratio", `{"pools": [{"name": "b#p", "total_capacity_gb": 1, "free_capacity_gb": 1, "max_over_subscription_ratio": "1.5"}]}`, ""},
		{"a misspelt key is refused", `{"pools": [{"name": "b#p", "total_capacity_gb": 1, "free_capacity": 1}]}`, "pools[0]"},
		{"a missing free capacity is refused", `{"pools": [{"name": "b#p", "total_capacity_gb": 1}]}`, "pools[0].free_capacity_gb"},
		{"a missing name is refused", `{"pools": [{"total_capacity_gb": 1, "free_capacity_gb": 1}]}`, "pools[0].name"},
		{"a NaN ratio is refused", `{"pools": [{"name": "b#p", "total_capacity_gb": 1, "free_capacity_gb": 1, "max_over_subscription_ratio": "NaN"}]}`, "pools[0].max_over_subscription_ratio"},
		{"a bad ratio is refused", `{"pools": [{"name": "b#p", "total_capacity_gb": 1, "free_capacity_gb": 1, "max_over_subscription_ratio": "lots"}]}`, "pools[0].max_over_subscription_ratio"},
		{"a reserved percentage over 100 is refused", `{"pools": [{"name": "b#p", "total_capacity_gb": 1, "free_capacity_gb": 1, "reserved_percentage": 101}]}`, "pools[0].reserved_percentage"},
		{"a duplicate name is refused", `{"pools": [{"name": "b#p", "total_capacity_gb": 1, "free_capacity_gb": 1}, {"name": "b#p", "total_capacity_gb": 1, "free_capacity_gb": 1}]}`, "pools[1].name"},
		{"a file without pools is refused", `{}`, "pools"},
		{"broken JSON is refused", `{"pools": [`, "pools file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pools, err := DecodePools([]byte(tt.input))
			if tt.field == "" {
				if err != nil || len(pools) == 0 {
					t.Fatalf("err %v, pools %v", err, pools)
				}
				return
			}
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field != tt.field {
				t.Fatalf("err = %v, want an error about %s", err, tt.field)
			}
		})
	}
	pools, _ := DecodePools([]byte(`{"pools": [{"name": "ssd#fast", "total_capacity_gb": "infinite", "free_capacity_gb": 5, "max_over_subscription_ratio": 2, "volumes": ["a"]}]}`))
	p := pools[0]
	if p.Backend != "ssd" || !p.Stats.TotalCapacityGB.Infinite || p.Stats.FreeCapacityGB.GiB != 5 || p.Stats.MaxOverSubscriptionRatio != "2" || p.Volumes[0] != "a" || !p.Stats.OnlineExtendSupport {
		t.Errorf("decoded %+v", p)
	}
}

func TestDecodeRequest(t *testing.T) {
	req, spec, err := DecodeRequest([]byte(`{"size": 100, "old_size": 40, "volume_type": {"name": "gold", "extra_specs": {"k": "v"}},
		"availability_zone": "az1", "hints": {"different_backend": ["x"], "same_backend": [], "query": ["=", "$a", 1]},
		"filters": ["CapacityFilter"], "weighers": {"VolumeNumberWeigher": -1}}`))
	if err != nil {
		t.Fatal(err)
	}
	if req.SizeGiB != 100 || req.RequestedGiB() != 60 || req.VolumeType != "gold" || req.ExtraSpecs["k"] != "v" || req.Hints.DifferentBackend[0] != "x" || req.Hints.Query == nil {
		t.Errorf("request %+v", req)
	}
	if len(spec.Filters) != 1 || spec.Weighers["VolumeNumberWeigher"] != -1 {
		t.Errorf("spec %+v", spec)
	}
	for input, field := range map[string]string{
		`{"old_size": 1}`:                       "size",
		`{"size": 0}`:                           "size",
		`{"size": 10, "old_size": 10}`:          "old_size",
		`{"size": 10, "filters": ["NoFilter"]}`: "filters",
		`{"size": 10, "weighers": {"Nope": 1}}`: "weighers",
		`{"size": 10, "colour": "blue"}`:        "request file",
	} {
		_, _, err := DecodeRequest([]byte(input))
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != field || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: err = %v, want one about %s", input, err, field)
		}
	}
}
