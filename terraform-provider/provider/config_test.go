package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestAccBadInputIsADiagnosticThatSaysWhereAndHow(t *testing.T) {
	tests := []struct {
		name     string
		backends string
		config   string
		want     string
	}{
		{name: "an error in config_dir names its file, line and column",
			backends: "backend \"b\" {\n  driver = \"nope\"\n  pool \"p\" {\n    path = \"POOLS/p\"\n  }\n}\n",
			config:   `resource "slab_qos" "q" { name = "q" }`,
			want:     `(?s)backends\.hcl:2,\d+:.*nope`},
		{name: "an invalid object name quotes the naming rule",
			backends: twoZones,
			config:   `resource "slab_qos" "q" { name = "Not_Valid" }`,
			want:     `(?s)Invalid name.*\[a-z0-9\]\[a-z0-9_-\]\*`},
		{name: "a type that is not recorded in the stack is named",
			backends: twoZones,
			config:   "resource \"slab_volume\" \"v\" {\n  name = \"v\"\n  size = 1\n  type = \"missing\"\n}\n",
			want:     `(?s)volume_type\.missing,\s+which\s+is\s+not\s+recorded\s+in\s+stack\s+"tf"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.backends)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: factories,
				Steps:                    []resource.TestStep{{Config: e.config(tt.config), ExpectError: regexp.MustCompile(tt.want)}},
			})
		})
	}
}

func TestAccImportingAnIDTheStackDoesNotRecordFails(t *testing.T) {
	e := newEnv(t, twoZones)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config:        e.config("resource \"slab_volume\" \"v\" {\n  name = \"v\"\n  size = 1\n}\n"),
			ResourceName:  "slab_volume.v",
			ImportState:   true,
			ImportStateId: "00000000-0000-0000-0000-000000000000",
			ExpectError:   regexp.MustCompile(`(?s)No volume with ID 00000000-0000-0000-0000-000000000000 is\s+recorded\s+in\s+stack\s+"tf"`),
		}},
	})
}
