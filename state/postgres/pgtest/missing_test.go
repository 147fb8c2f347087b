package pgtest

import (
	"strings"
	"testing"

	"github.com/slab-storage/slab/state/postgres/pgserver"
)

func TestWithoutServerBinariesTheMessageAlsoOffersAnExistingServer(t *testing.T) {
	err := notInstalled(pgserver.ErrNotInstalled)
	for _, want := range []string{"install the postgresql package", "make deps", EnvDSN} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not mention %q", err, want)
		}
	}
}
