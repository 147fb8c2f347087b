package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/slab-storage/slab/state"
	"github.com/slab-storage/slab/state/postgres"
	"github.com/slab-storage/slab/state/postgres/pgtest"
	"github.com/slab-storage/slab/state/sqlite"
)

func TestAccAPostgreSQLStateStoreRecordsTheProvidersObjects(t *testing.T) {
	e := newEnv(t, twoZones)
	dsn := pgtest.DSN(t)
	config := fmt.Sprintf(`provider "slab" {
  config_dir = %q
  state      = %q
  stack      = "tf-pg"
}
resource "slab_volume" "v" {
  name = "v"
  size = 1
}
`, e.dir, dsn)
	read := func() (*state.State, error) {
		store, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			return nil, err
		}
		defer store.Close()
		return store.Read(context.Background(), "tf-pg")
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy: func(*terraform.State) error {
			rec, err := read()
			if err != nil || len(rec.Volumes) != 0 {
				return fmt.Errorf("after destroy: %v, %+v", err, rec)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: config,
			Check: func(s *terraform.State) error {
				rec, err := read()
				if err != nil {
					return err
				}
				id := s.RootModule().Resources["slab_volume.v"].Primary.ID
				if len(rec.Volumes) != 1 || rec.Volumes[0].ID != id || rec.Volumes[0].Address != "volume.v" {
					return fmt.Errorf("PostgreSQL holds %+v, want volume.v %s", rec.Volumes, id)
				}
				// Nothing went to the SQLite default.
				if _, err := os.Stat(filepath.Join(e.dir, ".slab", "state.db")); !os.IsNotExist(err) {
					return fmt.Errorf("a SQLite store was made too: %v", err)
				}
				return nil
			},
		}},
	})
}

func TestAccAHeldStackLockFailsTheApplyAndNamesItsHolder(t *testing.T) {
	e := newEnv(t, twoZones)
	store, err := sqlite.Open(e.db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	lock, err := store.LockWith(context.Background(), state.Lock{Stack: e.stack, Who: "operator@ci", Operation: "apply"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf(`provider "slab" {
  config_dir   = %q
  state        = %q
  stack        = %q
  lock_timeout = "0s"
}
resource "slab_qos" "q" {
  name = "q"
}
`, e.dir, e.db, e.stack)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config:      config,
			ExpectError: regexp.MustCompile(`(?s)Error acquiring the state lock.*operator@ci.*slab\s+force-unlock\s+` + regexp.QuoteMeta(lock.ID)),
		}},
	})
	if rec := e.record(); len(rec.QoS) != 0 {
		t.Fatalf("recorded while locked: %+v", rec.QoS)
	}
}
