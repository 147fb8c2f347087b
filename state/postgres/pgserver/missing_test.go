package pgserver

import (
	"errors"
	"strings"
	"testing"
)

func TestWithoutServerBinariesTheMessageSaysWhatToInstall(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	saved := versionedBinGlob
	versionedBinGlob = t.TempDir() + "/*/bin"
	t.Cleanup(func() { versionedBinGlob = saved })
	_, _, err := findBinaries()
	if !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("findBinaries in empty directories = %v, want ErrNotInstalled", err)
	}
	for _, want := range []string{"install the postgresql package", "make deps"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not mention %q", err, want)
		}
	}
}
