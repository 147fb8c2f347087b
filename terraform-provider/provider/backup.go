package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/planner"
	"github.com/slab-storage/slab/providers"
	"github.com/slab-storage/slab/state"
)

// backupResource is a backup block: taken once into a repository declared
// in config_dir, immutable afterwards (the engine's BackupSchema says any
// change takes a new backup).
type backupResource struct{ c *client }

func newBackupResource() resource.Resource { return &backupResource{} }

type backupModel struct {
	ID                    types.String `tfsdk:"id"`
	Name                  types.String `tfsdk:"name"`
	VolumeID              types.String `tfsdk:"volume_id"`
	Repository            types.String `tfsdk:"repository"`
	Incremental           types.Bool   `tfsdk:"incremental"`
	Description           types.String `tfsdk:"description"`
	ParentID              types.String `tfsdk:"parent_id"`
	Size                  types.Int64  `tfsdk:"size"`
	StoredBytes           types.Int64  `tfsdk:"stored_bytes"`
	Status                types.String `tfsdk:"status"`
	CreatedAt             types.String `tfsdk:"created_at"`
	FullBecauseVolumeGrew types.Bool   `tfsdk:"full_because_volume_grew"`
}

func (r *backupResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_backup"
}

func (r *backupResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "A backup of a slab_volume into a backup repository declared in the provider's config_dir: read from a point-in-time image of the volume, full or incremental (chained to the newest available backup of the same volume in the same repository). Backups are immutable: changing any argument takes a new backup.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, Description: "The backup's slab ID."},
			"name": schema.StringAttribute{Required: true,
				Description: "The backup's name, unique in the stack (address backup.<name>). Changing it takes a new backup."},
			"volume_id": schema.StringAttribute{Required: true,
				Description: "The ID of the slab_volume to back up. Changing it takes a new backup."},
			"repository": schema.StringAttribute{Required: true,
				Description: "The name of a backup_repository block in the provider's config_dir (backup_repository \"nas\" { … } is \"nas\"). Changing it takes a new backup."},
			"incremental": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				Description: "Store only what changed since the newest available backup of the same volume in the same repository (Cinder's rule). With none, or when the volume grew since, the backup is taken full. Changing it takes a new backup."},
			"description": schema.StringAttribute{Optional: true, Description: "Free text, kept in the backup's manifest. Changing it takes a new backup."},
			"parent_id": schema.StringAttribute{Computed: true,
				Description: "The ID of the backup this incremental chains to; null for a full backup."},
			"size": schema.Int64Attribute{Computed: true,
				Description: "The volume's size when it was backed up, in GiB: a volume restored from it must be at least this size."},
			"stored_bytes": schema.Int64Attribute{Computed: true,
				Description: "What the backup's own objects take in the repository, in bytes (after compression; an incremental stores only what changed)."},
			"status":     schema.StringAttribute{Computed: true, Description: "Cinder's status: available, error, …"},
			"created_at": schema.StringAttribute{Computed: true, Description: "When the backup was taken (RFC 3339, UTC)."},
			"full_because_volume_grew": schema.BoolAttribute{Computed: true,
				Description: "True when an incremental was asked for but the backup was taken full because the volume grew since the backup it would have chained to."},
		},
	}
}

func (r *backupResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.c = clientOf(req.ProviderData, &resp.Diagnostics)
}

// attrs are the backup's arguments as the engine reads a backup block;
// volume is the volume's address (or a stand-in for the change rules).
func (m *backupModel) attrs(volume any) providers.Attrs {
	return providers.Attrs{"volume": volume, "repository": ref("backup_repository", m.Repository),
		"incremental": m.Incremental.ValueBool(), "description": strOrNil(m.Description)}
}

// object is the backup as the engine reads a backup block; nil (with a
// diagnostic) when its volume is not recorded.
func (r *backupResource) object(m *backupModel, rec *state.State, diags *diag.Diagnostics) *planner.Object {
	vol, ok := planner.FindObject(rec, state.KindVolume, m.VolumeID.ValueString())
	if !ok {
		diags.AddAttributeError(path.Root("volume_id"), "Unknown volume",
			fmt.Sprintf("No volume with ID %s is recorded in stack %s.", m.VolumeID.ValueString(), rec.Stack.Name))
		return nil
	}
	return &planner.Object{Kind: "backup", Name: m.Name.ValueString(), Attrs: m.attrs(vol.ObjectAddress())}
}

// ModifyPlan applies the engine's change rules: the attributes its
// BackupSchema says force a new backup become RequiresReplace, a failed
// backup is taken again, and a new backup is checked now (its volume and
// repository) when its volume is recorded.
func (r *backupResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.c == nil {
		return
	}
	var plan backupModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var prior *backupModel
	if !req.State.Raw.IsNull() {
		prior = &backupModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if prior != nil {
		if !prior.Name.Equal(plan.Name) {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("name")) // a new address
		}
		after := plan.attrs(plannedStr(plan.VolumeID))
		if plan.VolumeID.IsUnknown() {
			after["volume"] = unknownValue
		}
		tfName := func(a string) string {
			if a == "volume" {
				return "volume_id"
			}
			return a
		}
		resp.RequiresReplace = append(resp.RequiresReplace,
			replacePaths(schemaReplacements(providers.BackupSchema, prior.attrs(strOrNil(prior.VolumeID)), after), tfName)...)
		if len(resp.RequiresReplace) == 0 && prior.Status.ValueString() != planner.BackupAvailable {
			// What a failed or interrupted backup left is taken again.
			// Terraform replaces only for a path whose value changes, so
			// the status is planned unknown.
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), types.StringUnknown())...)
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("status"))
			resp.Diagnostics.AddWarning("Backup will be taken again", fmt.Sprintf("backup.%s is %s.", plan.Name.ValueString(), prior.Status.ValueString()))
		}
		return
	}
	if !known(plan.Name, plan.VolumeID, plan.Repository, plan.Incremental, plan.Description) {
		return // checked when applied
	}
	rec := r.c.read(ctx, &resp.Diagnostics)
	if rec == nil {
		return
	}
	if _, ok := planner.FindObject(rec, state.KindVolume, plan.VolumeID.ValueString()); !ok {
		return // a volume made in the same apply
	}
	if obj := r.object(&plan, rec, &resp.Diagnostics); obj != nil && current(rec, obj.Address()) == nil {
		r.c.check(ctx, obj.Address(), obj, &resp.Diagnostics)
	}
}

func (r *backupResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.write(ctx, req.Plan.Get, true, &resp.State, &resp.Diagnostics)
}

// Update is reached only when nothing the engine compares changed (the
// same value spelled differently): the engine plans no change.
func (r *backupResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.write(ctx, req.Plan.Get, false, &resp.State, &resp.Diagnostics)
}

func (r *backupResource) write(ctx context.Context, get getter, create bool, st stateSetter, diags *diag.Diagnostics) {
	if !r.c.ready(diags) {
		return
	}
	var m backupModel
	diags.Append(get(ctx, &m)...)
	rec := r.c.read(ctx, diags)
	if diags.HasError() || rec == nil {
		return
	}
	obj := r.object(&m, rec, diags)
	if obj == nil || diags.HasError() {
		return
	}
	got, ok := r.c.apply(ctx, obj.Address(), obj, create, diags).(*state.Backup)
	if diags.HasError() {
		return
	}
	after := r.c.read(ctx, diags)
	if !ok || after == nil {
		diags.AddError("Backup not recorded", obj.Address()+" is not in the state store after the apply.")
		return
	}
	m.FullBecauseVolumeGrew = types.BoolNull()
	fillBackup(&m, got, after)
	diags.Append(st.Set(ctx, &m)...)
}

// fillBackup copies the recorded backup into the model. Whether it was
// taken full because the volume grew is decided once (on create or
// import) and kept, since the backups it was compared with may go later.
func fillBackup(m *backupModel, b *state.Backup, rec *state.State) {
	m.ID, m.Name, m.VolumeID = types.StringValue(b.ID), types.StringValue(nameOf(b.Address)), types.StringValue(b.VolumeID)
	m.Repository, m.Incremental = types.StringValue(nameOf(b.Repository)), types.BoolValue(b.Incremental)
	m.Description = strValue(b.Description, m.Description)
	m.ParentID = types.StringNull()
	if b.ParentID != "" {
		m.ParentID = types.StringValue(b.ParentID)
	}
	m.Size = types.Int64Value((b.SizeBytes + drivers.GiBBytes - 1) / drivers.GiBBytes)
	m.StoredBytes, m.Status = types.Int64Value(b.StoredBytes), types.StringValue(b.Status)
	m.CreatedAt = types.StringValue(b.CreatedAt.UTC().Format(time.RFC3339))
	if m.FullBecauseVolumeGrew.IsNull() || m.FullBecauseVolumeGrew.IsUnknown() {
		m.FullBecauseVolumeGrew = types.BoolValue(planner.FullBecauseGrown(rec.Backups, b))
	}
}

func (r *backupResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !r.c.ready(&resp.Diagnostics) {
		return
	}
	var m backupModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	obj, rec, ok := r.c.refresh(ctx, state.KindBackup, m.ID.ValueString(), m.Name.ValueString(), resp)
	if !ok {
		return
	}
	fillBackup(&m, obj.(*state.Backup), rec)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Delete prunes the backup from its repository. The engine refuses it
// while another backup chains to it, as it does for the CLI.
func (r *backupResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if !r.c.ready(&resp.Diagnostics) {
		return
	}
	var m backupModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.c.apply(ctx, "backup."+m.Name.ValueString(), nil, false, &resp.Diagnostics)
	for i, d := range resp.Diagnostics {
		if d.Summary() == "Backup has dependent incremental backups" {
			resp.Diagnostics[i] = diag.NewErrorDiagnostic(d.Summary(), strings.TrimSpace(d.Detail())+
				"\nWith Terraform or OpenTofu nothing was deleted. Destroy the dependents' slab_backup resources first: give each incremental depends_on = [the slab_backup it chains to], so that destroying them together deletes the incrementals first, or remove the incrementals in an earlier apply.")
		}
	}
}

func (r *backupResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByID(ctx, r.c, state.KindBackup, req, resp)
}
