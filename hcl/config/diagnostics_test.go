package config

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestWriteDiagnosticsGolden renders the diagnostics of a configuration
// with many mistakes; run with -update to accept a change.
func TestWriteDiagnosticsGolden(t *testing.T) {
	cfg, diags := Load("testdata/diagnostics", LoadOptions{
		Vars:     []string{"nope=1"},
		VarFiles: []string{"vars.slabvars"},
	})
	var buf bytes.Buffer
	WriteDiagnostics(&buf, diags, cfg.Files)
	const golden = "testdata/diagnostics.golden"
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != string(want) {
		t.Errorf("WriteDiagnostics output differs from %s (run go test -update to accept):\n%s", golden, got)
	}
}

func TestWriteDiagnosticsLayout(t *testing.T) {
	src := []byte("volume \"db\" {\n  sise = 20\n}\n")
	f := map[string]*hcl.File{"storage.hcl": {Bytes: src}}
	rng := hcl.Range{Filename: "storage.hcl",
		Start: hcl.Pos{Line: 2, Column: 3, Byte: 16}, End: hcl.Pos{Line: 2, Column: 7, Byte: 20}}
	tests := []struct {
		name  string
		diags hcl.Diagnostics
		want  string
	}{
		{"an error with a subject shows the position, the line, carets and the detail", hcl.Diagnostics{{
			Severity: hcl.DiagError, Summary: "Unsupported argument", Detail: "Remove it.", Subject: &rng,
		}}, "Error: storage.hcl:2:3: Unsupported argument\n  2 |   sise = 20\n    |   ^^^^\nRemove it.\n\n"},
		{"a warning without a subject is one line and the detail", hcl.Diagnostics{{
			Severity: hcl.DiagWarning, Summary: "Heads up", Detail: "Do this.",
		}}, "Warning: Heads up\nDo this.\n\n"},
		{"a subject in a file that is not available shows no source", hcl.Diagnostics{{
			Severity: hcl.DiagError, Summary: "Bad", Detail: "Fix.",
			Subject: &hcl.Range{Filename: "<value for var.x>", Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 2}},
		}}, "Error: <value for var.x>:1:1: Bad\nFix.\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			WriteDiagnostics(&b, tt.diags, f)
			if b.String() != tt.want {
				t.Errorf("got\n%q\nwant\n%q", b.String(), tt.want)
			}
		})
	}
}

func TestDiagnosticsAreSortedByPosition(t *testing.T) {
	_, diags := Load("testdata/diagnostics", LoadOptions{Vars: []string{"nope=1"}})
	if diags[0].Subject != nil {
		t.Errorf("command-line problems come first, got %s", diagLine(diags[0]))
	}
	for i := 2; i < len(diags); i++ {
		a, b := diags[i-1].Subject, diags[i].Subject
		if a.Filename == b.Filename && a.Start.Byte > b.Start.Byte {
			t.Errorf("%s before %s", diagLine(diags[i-1]), diagLine(diags[i]))
		}
	}
}
