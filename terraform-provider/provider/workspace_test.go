package provider

import (
	"os"
	"path/filepath"
	"testing"
)

func TestTheDefaultStackFollowsTheTerraformWorkspace(t *testing.T) {
	dataDir := t.TempDir()
	selected := t.TempDir()
	if err := os.WriteFile(filepath.Join(selected, "environment"), []byte("staging\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, env, dataDir, want string
	}{
		{name: "TF_WORKSPACE wins", env: "prod", dataDir: selected, want: "prod"},
		{name: "then the workspace terraform workspace select recorded", dataDir: selected, want: "staging"},
		{name: "else the default workspace", dataDir: dataDir, want: "default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("TF_WORKSPACE", tt.env)
			t.Setenv("TF_DATA_DIR", tt.dataDir)
			if got := workspace(); got != tt.want {
				t.Fatalf("workspace() = %q, want %q", got, tt.want)
			}
		})
	}
}
