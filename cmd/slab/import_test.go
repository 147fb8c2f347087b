package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// foreignFile puts a file of size bytes in the pool's volumes directory,
// as an operator copying an image there would.
func foreignFile(t *testing.T, dir, name string, size int64) string {
	t.Helper()
	volDir := filepath.Join(dir, "pools", "p", "volumes")
	if err := os.MkdirAll(volDir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(volDir, name)
	if err := os.WriteFile(path, []byte("boot sector"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestImportingAnExistingFileAdoptsItAndTheNextPlanIsEmpty(t *testing.T) {
	dir := t.TempDir()
	legacy := foreignFile(t, dir, "legacy.img", 3*gib)
	writeFile(t, dir, "main.hcl", onePool+`
volume "legacy" {
  size = 3
}
`)
	// Before the import the file is reported, never touched.
	r := mustSlab(t, dir, 0, "plan", "-json")
	wantAll(t, "the plan's JSON before the import", r.stdout, `"kind": "file"`, `"id": "local#p/legacy.img"`)

	r = mustSlab(t, dir, 0, "import", "volume.legacy", "local#p/legacy.img")
	wantAll(t, "the import", r.stdout, "volume.legacy: Importing...", "Import successful!")
	if _, err := os.Stat(legacy); !os.IsNotExist(err) {
		t.Fatalf("the adopted file kept its old name: %v", err)
	}
	rec, hist := readState(t, dir, "default")
	v := volumeAt(t, rec, "volume.legacy")
	if v.SizeGiB != 3 || v.Pool != "local#p" || v.Status != "available" {
		t.Fatalf("imported volume recorded as %+v", v)
	}
	if head := readHead(t, v.ProviderLocation, 11); head != "boot sector" {
		t.Fatalf("the adopted volume starts with %q, not its data", head)
	}
	imported := false
	for _, ev := range hist {
		imported = imported || (ev.Action == "import" && ev.Address == "volume.legacy" && strings.Contains(ev.Detail, "legacy.img"))
	}
	if !imported {
		t.Fatalf("the history does not record the import: %+v", hist)
	}
	mustSlab(t, dir, 0, "plan", "-detailed-exitcode")

	r = mustSlab(t, dir, 1, "import", "volume.legacy", "local#p/legacy.img")
	wantAll(t, "a second import", r.stderr, "Import target is already managed")
}

func TestAnImportBlockIsPlannedThenAppliedWithTheConfigurationsChanges(t *testing.T) {
	dir := t.TempDir()
	foreignFile(t, dir, "data.raw", 1*gib)
	writeFile(t, dir, "main.hcl", onePool+`
import {
  to = volume.data
  id = "local#p/data.raw"
}

volume "data" {
  size        = 2
  description = "adopted"
}
`)
	r := mustSlab(t, dir, 2, "plan", "-detailed-exitcode")
	wantAll(t, "the import plan", r.stdout, "# volume.data will be updated in-place", `# (imported from file "data.raw" of local#p, which becomes volume `,
		"~ size", "1 -> 2", "Plan: 1 to import, 0 to add, 1 to change, 0 to destroy.")
	if strings.Contains(r.stdout, "objects on the pools that no stack manages") {
		t.Fatalf("a file being imported is also listed as unmanaged:\n%s", r)
	}
	r = mustSlab(t, dir, 0, "apply", "-auto-approve")
	wantAll(t, "the import apply", r.stdout, "Resources: 1 imported, 0 added, 1 changed, 0 destroyed.")
	rec, _ := readState(t, dir, "default")
	if v := volumeAt(t, rec, "volume.data"); v.SizeGiB != 2 || v.Description != "adopted" || fileSize(t, v.ProviderLocation) != 2*gib {
		t.Fatalf("after the import apply: %+v", v)
	}
	// The import block stays in the configuration; it is done.
	mustSlab(t, dir, 0, "plan", "-detailed-exitcode")
}

func TestAVolumeNoStackRecordsIsReportedAndCanBeImportedByID(t *testing.T) {
	dir, cfg := lifecycleDir(t, `
volume "kept" {
  size = 1
}
`)
	rec, _ := readState(t, dir, "default")
	id := volumeAt(t, rec, "volume.kept").ID
	mustSlab(t, dir, 0, "state", "rm", "volume.kept")
	editFile(t, cfg, `volume "kept"`, `volume "again"`)

	r := mustSlab(t, dir, 2, "plan", "-detailed-exitcode")
	wantAll(t, "the plan after state rm", r.stdout, "Objects on the pools that no stack manages", "local#p: volume, 1 GiB, id "+id, "# volume.again will be created")

	// Another stack of the same store may not take it while one records it.
	other := t.TempDir()
	writeFile(t, other, "main.hcl", `
slab {
  stack = "other"
  state = "`+filepath.Join(dir, ".slab", "state.db")+`"
}
`+strings.ReplaceAll(onePool, `"pools/p"`, `"`+filepath.Join(dir, "pools", "p")+`"`)+`
volume "mine" {
  size = 1
}
`)
	mustSlab(t, dir, 0, "import", "volume.again", id)
	r = mustSlab(t, other, 1, "import", "volume.mine", id)
	wantAll(t, "an import of another stack's volume", r.stderr, "Object belongs to another stack", `stack "default"`)
	mustSlab(t, dir, 0, "plan", "-detailed-exitcode")
	r = mustSlab(t, other, 2, "plan", "-detailed-exitcode")
	if strings.Contains(r.stdout, "no stack manages") {
		t.Fatalf("another stack's volume is reported as unmanaged:\n%s", r)
	}
}

func TestImportErrorsNameWhatIsWrong(t *testing.T) {
	dir := t.TempDir()
	foreignFile(t, dir, "disk.img", gib)
	writeFile(t, dir, "main.hcl", onePool+`
volume "v" {
  size              = 1
  availability_zone = "az9"
}

volume_type "t" {
}
`)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"import", "volume.nope", "local#p/disk.img"}, "Import target not in the configuration"},
		{[]string{"import", "volume.v", "local#p/missing.img"}, `Pool local#p has no adoptable file named "missing.img"`},
		{[]string{"import", "volume.v", "nowhere#p/disk.img"}, `No pool "nowhere#p" is declared`},
		{[]string{"import", "volume.v", "0b8e0a52-no-such-volume"}, "No declared pool holds a volume"},
		{[]string{"import", "volume.v", "local#p/disk.img"}, "Import would replace the object"},
	} {
		r := mustSlab(t, dir, 1, tt.args...)
		wantAll(t, strings.Join(tt.args, " "), r.stderr, tt.want)
	}
	if _, err := os.Stat(filepath.Join(dir, "pools", "p", "volumes", "disk.img")); err != nil {
		t.Fatalf("a refused import moved the file: %v", err)
	}
}

func readHead(t *testing.T, path string, n int) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, 0); err != nil {
		t.Fatal(err)
	}
	return string(buf)
}
