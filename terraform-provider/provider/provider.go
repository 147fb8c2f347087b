package provider

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/slab-storage/slab/drivers"
	_ "github.com/slab-storage/slab/drivers/file" // the file driver registers itself
	"github.com/slab-storage/slab/hcl/config"
	"github.com/slab-storage/slab/planner"
	"github.com/slab-storage/slab/planner/schedule"
	"github.com/slab-storage/slab/state/location"
)

// New returns the provider factory the plugin server and tests use.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &slabProvider{version: version} }
}

type slabProvider struct{ version string }

type providerModel struct {
	State       types.String `tfsdk:"state"`
	Stack       types.String `tfsdk:"stack"`
	ConfigDir   types.String `tfsdk:"config_dir"`
	LockTimeout types.String `tfsdk:"lock_timeout"`
}

func (p *slabProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "slab"
	resp.Version = p.version
}

func (p *slabProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Manages slab volumes, snapshots, backups, volume types and QoS specs with slab's scheduler, drivers, backup engine and state catalog.",
		Attributes: map[string]schema.Attribute{
			"state": schema.StringAttribute{Optional: true, Sensitive: true,
				Description: "The state store: a PostgreSQL DSN (postgres://…) or a SQLite file path. Precedence as the slab CLI's: this argument, then SLAB_STATE, then the state of the slab block in config_dir, then .slab/state.db in config_dir (or the working directory)."},
			"stack": schema.StringAttribute{Optional: true,
				Description: "The stack this provider's objects are recorded in. Default: terraform-<workspace>, the workspace read from TF_WORKSPACE or the working directory's .terraform/environment. Never share a stack with a slab CLI configuration: the CLI would plan to destroy objects its files do not declare."},
			"config_dir": schema.StringAttribute{Optional: true,
				Description: "A directory of slab HCL files whose backend and pool blocks, backup_repository blocks (slab_backup's repository names one) and slab block (state, scheduler settings) the provider uses. Point it at the slab CLI's directory to share its pools and repositories. Other blocks there (volumes, types, QoS, backups, backup policies) belong to the CLI's stack and are not managed by the provider."},
			"lock_timeout": schema.StringAttribute{Optional: true,
				Description: "How long to wait for the stack's lock, as a Go duration (default \"5m\")."},
		},
	}
}

func (p *slabProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.State.IsUnknown() || m.Stack.IsUnknown() || m.ConfigDir.IsUnknown() || m.LockTimeout.IsUnknown() {
		// Terraform configures again once the values are known; resources
		// report the provider as unconfigured meanwhile.
		return
	}
	c := &client{version: p.version, lockTimeout: 5 * time.Minute, settings: &config.Config{}}
	if s := m.LockTimeout.ValueString(); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			resp.Diagnostics.AddAttributeError(path.Root("lock_timeout"), "Invalid lock_timeout", "lock_timeout is a Go duration such as \"30s\" or \"5m\".")
			return
		}
		c.lockTimeout = d
	}
	dir := m.ConfigDir.ValueString()
	if dir != "" {
		cfg, diags := config.Load(dir, config.LoadOptions{Environ: os.Environ(), KnownDrivers: drivers.Names(),
			KnownFilters: schedule.FilterNames(), KnownWeighers: schedule.WeigherNames()})
		resp.Diagnostics.Append(fromHCL(diags, "config_dir")...)
		if diags.HasErrors() {
			return
		}
		c.settings, dir = cfg, cfg.Dir
	}
	c.pools = planner.NewPoolSet(planner.PoolSpecs(c.settings))
	c.stack = m.Stack.ValueString()
	if c.stack == "" {
		c.stack = "terraform-" + workspace()
	}
	if !config.ValidName(c.stack) {
		resp.Diagnostics.AddAttributeError(path.Root("stack"), "Invalid stack name", "Stack "+c.stack+" is not a valid name. "+config.NameRule)
		return
	}
	loc := location.Resolve(m.State.ValueString(), os.Environ(), c.settings.Settings.State)
	store, err := location.Open(ctx, dir, loc)
	if err != nil {
		resp.Diagnostics.AddError("Cannot open the state store", err.Error()+"\nState store: "+location.Display(dir, loc))
		return
	}
	c.store = store
	resp.ResourceData, resp.DataSourceData = c, c
}

// workspace is the Terraform workspace the provider runs for: providers
// are not told, so it is read as Terraform itself selects it.
func workspace() string {
	if ws := os.Getenv("TF_WORKSPACE"); ws != "" {
		return ws
	}
	dataDir := os.Getenv("TF_DATA_DIR")
	if dataDir == "" {
		dataDir = ".terraform"
	}
	if b, err := os.ReadFile(filepath.Join(dataDir, "environment")); err == nil {
		if ws := strings.TrimSpace(string(b)); ws != "" {
			return ws
		}
	}
	return "default"
}

func (p *slabProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{newVolumeResource, newSnapshotResource, newBackupResource, newVolumeTypeResource, newQoSResource}
}

func (p *slabProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newPoolsDataSource, newVolumeTypeDataSource}
}
