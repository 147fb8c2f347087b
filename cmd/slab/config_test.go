package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// invalidCases are the loader's tables of malformed configurations; each
// directory holds .hcl files and a `want` file whose first line is the
// expected `FILE:LINE:COL: Summary`. The CLI knows its drivers, so the
// cases that need that knowledge count too.
var invalidCases = []string{"../../hcl/config/testdata/invalid/*", "../../hcl/config/testdata/invalid-with-drivers/*"}

func TestMalformedConfigsFailWithALocatedDiagnosticAndLeaveStateUntouched(t *testing.T) {
	var cases []string
	for _, pattern := range invalidCases {
		matches, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, matches...)
	}
	if len(cases) < 25 {
		t.Fatalf("only %d malformed configurations; want at least 25", len(cases))
	}
	// One stack with recorded objects, reused by every case: each case's
	// files replace the configuration, and the record must not move.
	dir := t.TempDir()
	writeFile(t, dir, "main.hcl", "backend \"b\" {\n  driver = \"file\"\n  pool \"p\" {\n    path = \"pool\"\n  }\n}\n\nvolume \"keep\" {\n  size = 1\n}\n")
	mustSlab(t, dir, 0, "apply", "-auto-approve")
	before, hist := readState(t, dir, "default")

	for _, src := range cases {
		t.Run(strings.ReplaceAll(filepath.Base(src), "-", " "), func(t *testing.T) {
			want := firstLine(t, filepath.Join(src, "want"))
			clearConfig(t, dir)
			copyHCL(t, src, dir)
			for _, cmd := range [][]string{{"validate"}, {"plan"}, {"apply", "-auto-approve"}} {
				r := slab(t, dir, cmd...)
				if r.code != 1 {
					t.Fatalf("slab %s: exit %d, want 1\n%s", cmd[0], r.code, r)
				}
				if !strings.Contains(r.stderr, want) {
					t.Fatalf("slab %s: stderr lacks %q\n%s", cmd[0], want, r)
				}
				if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic:") {
					t.Fatalf("slab %s crashed:\n%s", cmd[0], r)
				}
			}
			after, hist2 := readState(t, dir, "default")
			if after.Stack.Serial != before.Stack.Serial || len(hist2) != len(hist) || len(after.Volumes) != len(before.Volumes) {
				t.Errorf("state moved: serial %d → %d, %d → %d events", before.Stack.Serial, after.Stack.Serial, len(hist), len(hist2))
			}
		})
	}
}

func firstLine(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	if !s.Scan() || strings.TrimSpace(s.Text()) == "" {
		t.Fatalf("%s has no expectation line", path)
	}
	return strings.TrimSpace(s.Text())
}

func clearConfig(t *testing.T, dir string) {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(dir, "*.hcl"))
	for _, m := range matches {
		if err := os.Remove(m); err != nil {
			t.Fatal(err)
		}
	}
}

func copyHCL(t *testing.T, src, dst string) {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(src, "*.hcl"))
	for _, m := range matches {
		raw, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, dst, filepath.Base(m), string(raw))
	}
}

func TestFmtCheckReportsAndFixesUnformattedFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "main.hcl", "volume \"x\" {\nsize=1\n    description = \"d\"\n}\n")
	r := mustSlab(t, dir, 3, "fmt", "-check")
	if strings.TrimSpace(r.stdout) != "main.hcl" {
		t.Fatalf("fmt -check should list main.hcl:\n%s", r)
	}
	mustSlab(t, dir, 0, "fmt")
	raw, _ := os.ReadFile(filepath.Join(dir, "main.hcl"))
	if want := "volume \"x\" {\n  size        = 1\n  description = \"d\"\n}\n"; string(raw) != want {
		t.Errorf("formatted file:\n%s\nwant:\n%s", raw, want)
	}
	mustSlab(t, dir, 0, "fmt", "-check")
}

func TestValidateAcceptsTheQuickstart(t *testing.T) {
	r := mustSlab(t, filepath.Join("..", "..", "examples", "quickstart"), 0, "validate")
	if !strings.Contains(r.stdout, "Success! The configuration is valid.") {
		t.Fatal(r)
	}
}

func TestVariablesComeFromEnvironmentFilesAndFlagsInThatOrder(t *testing.T) {
	dir := quickstart(t)
	t.Setenv("SLAB_VAR_apps", `["db", "from-env"]`)
	r := mustSlab(t, dir, 0, "plan")
	if !strings.Contains(r.stdout, `# volume.app["from-env"] will be created`) {
		t.Fatalf("SLAB_VAR_apps was not used:\n%s", r)
	}
	writeFile(t, dir, "team.vars", "apps = [\"db\", \"from-file\"]\n")
	r = mustSlab(t, dir, 0, "plan", "-var-file", "team.vars")
	if !strings.Contains(r.stdout, `volume.app["from-file"]`) || strings.Contains(r.stdout, "from-env") {
		t.Fatalf("-var-file did not override the environment:\n%s", r)
	}
	r = mustSlab(t, dir, 0, "plan", "-var-file", "team.vars", "-var", `apps=["db","b"]`)
	if !strings.Contains(r.stdout, `volume.app["b"]`) || strings.Contains(r.stdout, "from-file") {
		t.Fatalf("-var did not override the file:\n%s", r)
	}
	r = mustSlab(t, dir, 1, "plan", "-var", "nope=1")
	if !strings.Contains(r.stderr, "nope") {
		t.Fatalf("an undeclared -var is not reported:\n%s", r)
	}
}
