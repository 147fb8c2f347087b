package config

import (
	"testing"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"aligns equals signs and indents nested blocks",
			"volume \"db\" {\nsize=20\n      availability_zone =   \"az1\"\nlifecycle {\nprevent_destroy=true\n}\n}\n",
			"volume \"db\" {\n  size              = 20\n  availability_zone = \"az1\"\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n"},
		{"normalizes spacing inside expressions",
			"qos \"gold\" {\n  specs = {total_iops_sec=1000,  read_bytes_sec  =  10}\n}\n",
			"qos \"gold\" {\n  specs = { total_iops_sec = 1000, read_bytes_sec = 10 }\n}\n"},
		{"leaves formatted input alone",
			"volume \"db\" {\n  size = 20 # GiB\n}\n",
			"volume \"db\" {\n  size = 20 # GiB\n}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, diags := Format([]byte(tt.in), "main.hcl")
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			again, _ := Format(got, "main.hcl")
			if string(again) != string(got) {
				t.Errorf("not idempotent:\n%s", again)
			}
		})
	}
}

func TestFormatIsIdempotentOnTheTestdata(t *testing.T) {
	for _, dir := range []string{"testdata/valid/design-example", "testdata/valid/instances", "testdata/valid/functions"} {
		cfg, _ := Load(dir, LoadOptions{})
		for name, f := range cfg.Files {
			t.Run(dir+"/"+name, func(t *testing.T) {
				once, diags := Format(f.Bytes, name)
				if diags.HasErrors() {
					t.Fatal(diags.Error())
				}
				twice, _ := Format(once, name)
				if string(once) != string(twice) {
					t.Errorf("formatting twice changed the result:\n%s", twice)
				}
			})
		}
	}
}

func TestFormatRefusesBrokenInput(t *testing.T) {
	for _, src := range []string{
		"volume \"db\" {\n  size = 20\n",
		"volume \"db\" {\n  size = = 20\n}\n",
		"volume \"db\" {\n  description = \"unterminated\n}\n",
	} {
		got, diags := Format([]byte(src), "main.hcl")
		if !diags.HasErrors() || got != nil {
			t.Errorf("Format(%q) = %q, %v; want nil and errors", src, got, diags)
		}
		if d := firstError(diags); d.Subject == nil || d.Subject.Filename != "main.hcl" {
			t.Errorf("the error must point into main.hcl: %v", d)
		}
	}
}
