package pgtest

import (
	"strings"
	"testing"
)

func TestWithoutServerBinariesTheMessageSaysWhatToInstall(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	saved := versionedBinGlob
	versionedBinGlob = t.TempDir() + "/*/bin"
	t.Cleanup(func() { versionedBinGlob = saved })
	_, _, err := findBinaries()
	if err == nil {
		t.Fatal("found server binaries in empty directories")
	}
	for _, want := range []string{"install the postgresql package", "make deps", EnvDSN} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not mention %q", err, want)
		}
	}
}
