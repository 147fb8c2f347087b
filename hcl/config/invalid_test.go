package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// testDrivers stands in for the drivers registry, which hcl must not import.
var testDrivers = []string{"file", "rbd"}

// TestInvalidConfigurations loads every testdata/invalid/<case> directory
// and checks that its first error is the one its `want` file names, as
// `FILE:LINE:COL: Summary`, with a detail telling how to fix it. The CLI
// tests reuse these directories, so every case fails at load time.
func TestInvalidConfigurations(t *testing.T) {
	for _, root := range []string{"testdata/invalid", "testdata/invalid-with-drivers"} {
		dirs, err := os.ReadDir(root)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range dirs {
			dir := filepath.Join(root, d.Name())
			t.Run(strings.ReplaceAll(d.Name(), "-", " "), func(t *testing.T) {
				want := readWant(t, dir)
				cfg, diags := Load(dir, LoadOptions{KnownDrivers: testDrivers})
				if cfg == nil || cfg.Files == nil {
					t.Fatal("Load returned no Config with files")
				}
				first := firstError(diags)
				if first == nil {
					t.Fatalf("want %q, got no error", want)
				}
				if got := diagLine(first); got != want {
					t.Errorf("first error:\n got %s\nwant %s\nall:\n%s", got, want, diagsText(diags, cfg.Files))
				}
				if strings.TrimSpace(first.Detail) == "" {
					t.Errorf("%s has no detail", want)
				}
			})
		}
	}
}

// TestInvalidCorpusIsLargeEnough keeps the CLI's reuse of the corpus
// meaningful.
func TestInvalidCorpusIsLargeEnough(t *testing.T) {
	dirs, err := os.ReadDir("testdata/invalid")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 30 {
		t.Errorf("only %d invalid cases", len(dirs))
	}
}

func TestUnknownDriverIsAcceptedWithoutAList(t *testing.T) {
	_, diags := Load("testdata/invalid-with-drivers/unknown-driver", LoadOptions{})
	if diags.HasErrors() {
		t.Errorf("without KnownDrivers any driver name is accepted, got %s", diags.Error())
	}
}

func readWant(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "want"))
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(line)
}

func firstError(diags hcl.Diagnostics) *hcl.Diagnostic {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			return d
		}
	}
	return nil
}

// diagLine renders a diagnostic as `FILE:LINE:COL: Summary`.
func diagLine(d *hcl.Diagnostic) string {
	if d.Subject == nil {
		return d.Summary
	}
	return fmt.Sprintf("%s:%d:%d: %s", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column, d.Summary)
}

func diagsText(diags hcl.Diagnostics, files map[string]*hcl.File) string {
	var b strings.Builder
	WriteDiagnostics(&b, diags, files)
	return b.String()
}
