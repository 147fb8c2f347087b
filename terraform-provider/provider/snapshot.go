package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/slab-storage/slab/planner"
	"github.com/slab-storage/slab/providers"
	"github.com/slab-storage/slab/state"
)

type snapshotResource struct{ c *client }

func newSnapshotResource() resource.Resource { return &snapshotResource{} }

type snapshotModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	VolumeID    types.String `tfsdk:"volume_id"`
	Description types.String `tfsdk:"description"`
	Metadata    types.Map    `tfsdk:"metadata"`
	Size        types.Int64  `tfsdk:"size"`
	Pool        types.String `tfsdk:"pool"`
	Status      types.String `tfsdk:"status"`
}

func (r *snapshotResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_snapshot"
}

func (r *snapshotResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		Description: "A point-in-time snapshot of a slab_volume, on the volume's pool (copy-on-write where the driver can).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, PlanModifiers: keep, Description: "The snapshot's slab ID."},
			"name": schema.StringAttribute{Required: true, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Description: "The snapshot's name, unique in the stack (address snapshot.<name>). Changing it makes a new snapshot."},
			"volume_id": schema.StringAttribute{Required: true, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Description: "The ID of the slab_volume to snapshot. A snapshot belongs to one volume for life: changing it makes a new snapshot."},
			"description": schema.StringAttribute{Optional: true, Description: "Free text, changed in place."},
			"metadata":    schema.MapAttribute{Optional: true, ElementType: types.StringType, Description: "Key/value metadata, changed in place."},
			"size": schema.Int64Attribute{Computed: true, PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
				Description: "The volume's size when the snapshot was taken, in GiB."},
			"pool":   schema.StringAttribute{Computed: true, PlanModifiers: keep, Description: "The pool holding the snapshot (its volume's)."},
			"status": schema.StringAttribute{Computed: true, PlanModifiers: keep, Description: "Cinder's status: available, error, …"},
		},
	}
}

func (r *snapshotResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.c = clientOf(req.ProviderData, &resp.Diagnostics)
}

func (r *snapshotResource) object(ctx context.Context, m *snapshotModel, rec *state.State, diags *diag.Diagnostics) *planner.Object {
	vol := rec.AddressIndex()(m.VolumeID.ValueString())
	if vol == "" {
		diags.AddAttributeError(path.Root("volume_id"), "Unknown volume", fmt.Sprintf("No volume with ID %s is recorded in stack %s.", m.VolumeID.ValueString(), rec.Stack.Name))
		return nil
	}
	return &planner.Object{Kind: "snapshot", Name: m.Name.ValueString(), Attrs: providers.Attrs{
		"volume": vol, "description": strOrNil(m.Description), "metadata": mapOrNilAny(stringMap(ctx, m.Metadata, diags))}}
}

func (r *snapshotResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.write(ctx, req.Plan.Get, true, &resp.State, &resp.Diagnostics)
}

func (r *snapshotResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.write(ctx, req.Plan.Get, false, &resp.State, &resp.Diagnostics)
}

func (r *snapshotResource) write(ctx context.Context, get getter, create bool, st stateSetter, diags *diag.Diagnostics) {
	if !r.c.ready(diags) {
		return
	}
	var m snapshotModel
	diags.Append(get(ctx, &m)...)
	rec := r.c.read(ctx, diags)
	if diags.HasError() || rec == nil {
		return
	}
	obj := r.object(ctx, &m, rec, diags)
	if obj == nil || diags.HasError() {
		return
	}
	got, ok := r.c.apply(ctx, obj.Address(), obj, create, diags).(*state.Snapshot)
	if diags.HasError() {
		return
	}
	if !ok {
		diags.AddError("Snapshot not recorded", obj.Address()+" is not in the state store after the apply.")
		return
	}
	fillSnapshot(&m, got)
	diags.Append(st.Set(ctx, &m)...)
}

func fillSnapshot(m *snapshotModel, s *state.Snapshot) {
	m.ID, m.Name, m.VolumeID = types.StringValue(s.ID), types.StringValue(nameOf(s.Address)), types.StringValue(s.VolumeID)
	m.Description, m.Metadata = strValue(s.Description, m.Description), mapValue(s.Metadata, m.Metadata)
	m.Size, m.Pool, m.Status = types.Int64Value(int64(s.SizeGiB)), types.StringValue(s.Pool), types.StringValue(s.Status)
}

func (r *snapshotResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !r.c.ready(&resp.Diagnostics) {
		return
	}
	var m snapshotModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	obj, _, ok := r.c.refresh(ctx, state.KindSnapshot, m.ID.ValueString(), m.Name.ValueString(), resp)
	if !ok {
		return
	}
	fillSnapshot(&m, obj.(*state.Snapshot))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *snapshotResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if !r.c.ready(&resp.Diagnostics) {
		return
	}
	var m snapshotModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.c.apply(ctx, "snapshot."+m.Name.ValueString(), nil, false, &resp.Diagnostics)
}

func (r *snapshotResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByID(ctx, r.c, state.KindSnapshot, req, resp)
}

// importByID adopts an object recorded in the provider's stack by its
// slab ID: the name comes from its address, the rest from Read.
func importByID(ctx context.Context, c *client, kind state.Kind, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !c.ready(&resp.Diagnostics) {
		return
	}
	rec := c.read(ctx, &resp.Diagnostics)
	if rec == nil {
		return
	}
	obj, ok := planner.FindObject(rec, kind, req.ID)
	if !ok {
		resp.Diagnostics.AddError("Cannot import "+string(kind)+" "+req.ID,
			fmt.Sprintf("No %s with ID %s is recorded in stack %q. slab state list shows what a stack holds; objects of another stack are managed there.", kind, req.ID, c.stack))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), nameOf(obj.ObjectAddress()))...)
}
