package config

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

func TestVariablePrecedence(t *testing.T) {
	cfg := loadValid(t, "variables", LoadOptions{
		Environ: []string{
			"PATH=/bin",
			"SLAB_VAR_from_env=41",
			"SLAB_VAR_env_then_file=env",
			"SLAB_VAR_undeclared=ignored",
			"SLAB_VAR_untyped_cli=env",
			"SLAB_VAR_env_list=[1, 2]",
		},
		VarFiles: []string{"prod.slabvars", "sizes.json", "later.slabvars"},
		Vars: []string{
			`from_cli=["a", "b"]`,
			"file_then_cli=first-cli",
			"file_then_cli=cli",
			"untyped_cli=[1]",
		},
	})
	tests := []struct {
		name, variable string
		want           cty.Value
		source         string
	}{
		{"a default applies when nothing else is set", "from_default", cty.StringVal("default"), "default"},
		{"the environment beats the default and is parsed as HCL for a number", "from_env", cty.NumberIntVal(41), "env"},
		{"the environment is parsed as HCL for a list", "env_list",
			cty.ListVal([]cty.Value{cty.NumberIntVal(1), cty.NumberIntVal(2)}), "env"},
		{"a var-file beats the default", "from_file", cty.StringVal("file"), "var-file"},
		{"-var is parsed as HCL for a list", "from_cli", cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}), "cli"},
		{"a var-file beats the environment", "env_then_file", cty.StringVal("file"), "var-file"},
		{"-var beats a var-file, and the last -var wins", "file_then_cli", cty.StringVal("cli"), "cli"},
		{"the later var-file wins", "later_file_wins", cty.StringVal("second"), "var-file"},
		{"a JSON var-file is read as JSON and converted to the type", "json_file",
			cty.MapVal(map[string]cty.Value{"a": cty.NumberIntVal(1), "b": cty.NumberIntVal(2)}), "var-file"},
		{"an untyped variable takes -var text literally", "untyped_cli", cty.StringVal("[1]"), "cli"},
		{"optional attributes get their defaults", "settings", cty.ObjectVal(map[string]cty.Value{
			"size": cty.NumberIntVal(7),
			"tags": cty.MapVal(map[string]cty.Value{"team": cty.StringVal("storage")}),
		}), "default"},
	}
	decls := map[string]*Variable{}
	for _, d := range cfg.VariableDecls {
		decls[d.Name] = d
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, "value", cfg.Variables[tt.variable], tt.want)
			check(t, "source", decls[tt.variable].Source, tt.source)
		})
	}
	t.Run("variables feed resource arguments", func(t *testing.T) {
		v := volumeByAddr(t, cfg, "volume.db")
		check(t, "size", v.Size, 48)
		check(t, "metadata", v.Metadata, map[string]string{"team": "storage", "owner": "file"})
	})
	t.Run("declarations keep their description and sensitivity", func(t *testing.T) {
		check(t, "sensitive", decls["secret"].Sensitive, true)
		check(t, "description", decls["secret"].Description, "a password")
		check(t, "type", decls["from_env"].Type, cty.Number)
		check(t, "untyped", decls["from_file"].Type, cty.DynamicPseudoType)
	})
}

func TestVariableErrors(t *testing.T) {
	const src = `
variable "size" {
  type    = number
  default = 10
}
variable "name" {
  type    = string
  default = "db"
  validation {
    condition     = can(regex("^[a-z]+$", var.name))
    error_message = "name must be lowercase letters."
  }
}
volume "db" {
  size = var.size
}
`
	tests := []struct {
		name    string
		opts    LoadOptions
		summary string
		detail  string // a substring
		warning bool
	}{
		{"an undeclared -var is an error", LoadOptions{Vars: []string{"sise=3"}},
			"Value for undeclared variable", `Did you mean "size"?`, false},
		{"a -var without equals sign is an error", LoadOptions{Vars: []string{"size"}},
			"Invalid -var option", "name=value", false},
		{"a -var that is not a number for a number variable is an error", LoadOptions{Vars: []string{"size=big"}},
			"Invalid value for variable", "-var", false},
		{"an environment value that is not a number is an error", LoadOptions{Environ: []string{"SLAB_VAR_size=[1"}},
			"Invalid value for variable", "SLAB_VAR_size", false},
		{"a failed validation shows the error message", LoadOptions{Vars: []string{"name=DB"}},
			"Invalid value for variable", "name must be lowercase letters.", false},
		{"a missing var-file is an error", LoadOptions{VarFiles: []string{"nope.slabvars"}},
			"Cannot read variables file", "nope.slabvars", false},
		{"a var-file setting an undeclared variable warns", LoadOptions{VarFiles: []string{"extra.slabvars"}},
			"Value for undeclared variable", "is ignored", true},
		{"a var-file value of the wrong type is an error at the value", LoadOptions{VarFiles: []string{"bad.slabvars"}},
			"Invalid value for variable", "is not a number", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "extra.slabvars", "sizes = 3\n")
			writeFile(t, dir, "bad.slabvars", "size = \"big\"\n")
			cfg, diags := LoadSources(dir, map[string][]byte{"main.hcl": []byte(src)}, tt.opts)
			var found *hcl.Diagnostic
			for _, d := range diags {
				if d.Summary == tt.summary {
					found = d
				}
			}
			if found == nil {
				t.Fatalf("no %q in:\n%s", tt.summary, diagsText(diags, cfg.Files))
			}
			if !strings.Contains(found.Detail, tt.detail) {
				t.Errorf("detail %q does not mention %q", found.Detail, tt.detail)
			}
			if got := found.Severity == hcl.DiagWarning; got != tt.warning {
				t.Errorf("warning = %v", got)
			}
			if tt.warning && diags.HasErrors() {
				t.Errorf("a warning alone must not fail the load: %s", diags.Error())
			}
		})
	}
	t.Run("a var-file value of the wrong type points into the var-file", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "bad.slabvars", "\nsize = \"big\"\n")
		_, diags := LoadSources(dir, map[string][]byte{"main.hcl": []byte(src)}, LoadOptions{VarFiles: []string{"bad.slabvars"}})
		check(t, "first", diagLine(firstError(diags)), "bad.slabvars:2:8: Invalid value for variable")
	})
}

func TestSensitiveValuesAreNotEchoed(t *testing.T) {
	src := []byte(`
variable "password" {
  type      = list(string)
  sensitive = true
  validation {
    condition     = length(var.password) == 1
    error_message = "Give one password."
  }
}
`)
	for _, opts := range []LoadOptions{
		{Vars: []string{"password=[hunter2"}},
		{Vars: []string{`password=["hunter2", "hunter3"]`}},
		{Environ: []string{"SLAB_VAR_password=[hunter2"}},
	} {
		cfg, diags := LoadSources(t.TempDir(), map[string][]byte{"main.hcl": src}, opts)
		if !diags.HasErrors() {
			t.Fatalf("%v: want an error", opts)
		}
		if text := diagsText(diags, cfg.Files); strings.Contains(text, "hunter") {
			t.Errorf("a sensitive value leaked:\n%s", text)
		}
	}
}
