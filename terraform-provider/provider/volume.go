package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/slab-storage/slab/planner"
	"github.com/slab-storage/slab/providers"
	"github.com/slab-storage/slab/state"
)

type volumeResource struct{ c *client }

func newVolumeResource() resource.Resource { return &volumeResource{} }

type volumeModel struct {
	ID               types.String `tfsdk:"id"`
	Name             types.String `tfsdk:"name"`
	Size             types.Int64  `tfsdk:"size"`
	Type             types.String `tfsdk:"type"`
	AvailabilityZone types.String `tfsdk:"availability_zone"`
	SourceSnapshotID types.String `tfsdk:"source_snapshot_id"`
	SourceVolumeID   types.String `tfsdk:"source_volume_id"`
	SourceBackupID   types.String `tfsdk:"source_backup_id"`
	Description      types.String `tfsdk:"description"`
	Metadata         types.Map    `tfsdk:"metadata"`
	SchedulerHints   *hintsModel  `tfsdk:"scheduler_hints"`
	Pool             types.String `tfsdk:"pool"`
	Status           types.String `tfsdk:"status"`
	ProviderLocation types.String `tfsdk:"provider_location"`
	QoSLimits        types.Map    `tfsdk:"qos_limits"`
}

type hintsModel struct {
	DifferentBackend []types.String `tfsdk:"different_backend"`
	SameBackend      []types.String `tfsdk:"same_backend"`
	Query            types.String   `tfsdk:"query"`
}

func (r *volumeResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_volume"
}

func (r *volumeResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		Description: "A block storage volume, placed on a pool by slab's scheduler and recorded in the state store.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, PlanModifiers: keep, Description: "The volume's slab ID."},
			"name": schema.StringAttribute{Required: true, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Description: "The volume's name, unique in the stack; it is recorded at the address volume.<name>. Changing it makes a new volume."},
			"size": schema.Int64Attribute{Required: true,
				Description: "Size in GiB (at least 1). Growing extends the volume in place; shrinking is refused at plan time."},
			"type": schema.StringAttribute{Optional: true,
				Description: "The name of a slab_volume_type in the same stack. Changing it retypes in place when the volume's pool passes the new type's filters; otherwise the plan fails with the scheduler's reason."},
			"availability_zone": schema.StringAttribute{Optional: true, Computed: true, PlanModifiers: keep,
				Description: "The availability zone; the pool's zone when unset. Changing it makes a new volume."},
			"source_snapshot_id": schema.StringAttribute{Optional: true,
				Description: "Make the volume from this slab_snapshot (same pool, size at least the snapshot's). Changing it makes a new volume; removing it changes nothing."},
			"source_volume_id": schema.StringAttribute{Optional: true,
				Description: "Make the volume as a clone of this slab_volume (same pool). Changing it makes a new volume; removing it changes nothing."},
			"source_backup_id": schema.StringAttribute{Optional: true,
				Description: "Restore this slab_backup into the new volume (any pool the scheduler chooses; size at least the backup's, checked at plan time). Changing it makes a new volume; removing it changes nothing."},
			"description": schema.StringAttribute{Optional: true, Description: "Free text, changed in place."},
			"metadata": schema.MapAttribute{Optional: true, ElementType: types.StringType,
				Description: "Key/value metadata, changed in place. Scheduler filter and goodness functions can read it."},
			"scheduler_hints": schema.SingleNestedAttribute{Optional: true,
				Description: "Hints read when the volume is placed (as Cinder's scheduler hints).",
				Attributes: map[string]schema.Attribute{
					"different_backend": schema.ListAttribute{Optional: true, ElementType: types.StringType,
						Description: "IDs of slab_volumes whose backend this volume must not share (DifferentBackendFilter must be enabled)."},
					"same_backend": schema.ListAttribute{Optional: true, ElementType: types.StringType,
						Description: "IDs of slab_volumes whose backend this volume must share (SameBackendFilter must be enabled)."},
					"query": schema.StringAttribute{Optional: true,
						Description: "A JsonFilter query as JSON, e.g. [\">=\", \"$free_capacity_gb\", 500] (JsonFilter must be enabled)."},
				}},
			"pool":   schema.StringAttribute{Computed: true, PlanModifiers: keep, Description: "The pool the scheduler chose, backend#pool."},
			"status": schema.StringAttribute{Computed: true, PlanModifiers: keep, Description: "Cinder's status: available, error, …"},
			"provider_location": schema.StringAttribute{Computed: true, PlanModifiers: keep,
				Description: "Where the backend keeps the volume (the file driver: the file's path)."},
			"qos_limits": schema.MapAttribute{Computed: true, ElementType: types.StringType,
				Description: "The type's QoS specs resolved for the volume's size (per-GB keys become limits)."},
		},
	}
}

func (r *volumeResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.c = clientOf(req.ProviderData, &resp.Diagnostics)
}

// object is the volume as the engine reads a volume block. ok is false
// when a reference cannot be resolved yet (an ID known only after apply).
func (r *volumeResource) object(ctx context.Context, m *volumeModel, rec *state.State, diags *diag.Diagnostics) (*planner.Object, bool) {
	if !known(m.Name, m.Size, m.Type, m.SourceSnapshotID, m.SourceVolumeID, m.SourceBackupID, m.Description, m.Metadata) {
		return nil, false
	}
	attrs := providers.Attrs{
		"size": m.Size.ValueInt64(), "type": ref("volume_type", m.Type), "availability_zone": strOrNil(m.AvailabilityZone),
		"description": strOrNil(m.Description), "metadata": mapOrNilAny(stringMap(ctx, m.Metadata, diags)),
	}
	addressOf := rec.AddressIndex()
	resolve := func(id types.String, attr string) (string, bool) {
		a := addressOf(id.ValueString())
		if a == "" {
			diags.AddAttributeError(path.Root(attr), "Unknown "+strings.TrimSuffix(strings.TrimPrefix(attr, "source_"), "_id"),
				"No object with ID "+id.ValueString()+" is recorded in stack "+rec.Stack.Name+".")
			return "", false
		}
		return a, true
	}
	switch {
	case !m.SourceSnapshotID.IsNull() && m.SourceSnapshotID.ValueString() != "":
		a, ok := resolve(m.SourceSnapshotID, "source_snapshot_id")
		if !ok {
			return nil, false
		}
		attrs["source"] = a
	case !m.SourceVolumeID.IsNull() && m.SourceVolumeID.ValueString() != "":
		a, ok := resolve(m.SourceVolumeID, "source_volume_id")
		if !ok {
			return nil, false
		}
		attrs["source"] = a
	case !m.SourceBackupID.IsNull() && m.SourceBackupID.ValueString() != "":
		a, ok := resolve(m.SourceBackupID, "source_backup_id")
		if !ok {
			return nil, false
		}
		attrs["source"] = a
	}
	obj := &planner.Object{Kind: "volume", Name: m.Name.ValueString(), Attrs: attrs}
	if h := m.SchedulerHints; h != nil {
		obj.Hints = map[string]cty.Value{}
		for key, ids := range map[string][]types.String{"different_backend": h.DifferentBackend, "same_backend": h.SameBackend} {
			if ids == nil {
				continue
			}
			vals := []cty.Value{}
			for _, id := range ids {
				if id.IsUnknown() {
					return nil, false
				}
				a, ok := resolve(id, "scheduler_hints")
				if !ok {
					return nil, false
				}
				vals = append(vals, cty.StringVal(a))
			}
			obj.Hints[key] = cty.ListValEmpty(cty.String)
			if len(vals) > 0 {
				obj.Hints[key] = cty.ListVal(vals)
			}
		}
		if h.Query.IsUnknown() {
			return nil, false
		}
		if !h.Query.IsNull() {
			obj.Hints["query"] = cty.StringVal(h.Query.ValueString())
		}
	}
	return obj, true
}

func mapOrNilAny(m map[string]string) any {
	if m == nil {
		return nil
	}
	return m
}

// ModifyPlan asks the engine what the change means: its diagnostics (a
// shrink, a pool that cannot take a retype or the growth, no valid pool)
// fail the plan, and its replacement decision becomes RequiresReplace.
func (r *volumeResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.c == nil {
		return
	}
	var plan volumeModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var prior *volumeModel
	if !req.State.Raw.IsNull() {
		prior = &volumeModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	// The limits follow the size and the type's QoS, which may change in
	// the same apply: any update learns them anew.
	if prior != nil && (!plan.Size.Equal(prior.Size) || !plan.Type.Equal(prior.Type) ||
		!plan.Description.Equal(prior.Description) || !plan.Metadata.Equal(prior.Metadata)) {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("qos_limits"), types.MapUnknown(types.StringType))...)
	} else if prior != nil {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("qos_limits"), prior.QoSLimits)...)
	}
	rec := r.c.read(ctx, &resp.Diagnostics)
	if rec == nil {
		return
	}
	obj, ok := r.object(ctx, &plan, rec, &resp.Diagnostics)
	// A type made in the same apply is not recorded yet: the engine checks
	// the volume when it is applied.
	ok = ok && (plan.Type.IsNull() || current(rec, "volume_type."+plan.Type.ValueString()) != nil)
	if prior != nil && prior.Name.Equal(plan.Name) {
		tfName := func(a string) string {
			if a == "source" {
				return sourceAttr(prior, &plan)
			}
			return a
		}
		if !ok {
			// A reference is known only after apply: the change rules
			// alone decide whether it replaces.
			before := providers.Attrs{"availability_zone": strOrNil(prior.AvailabilityZone), "source": sourceOf(prior, false)}
			after := providers.Attrs{"availability_zone": plannedStr(plan.AvailabilityZone), "source": sourceOf(&plan, true)}
			resp.RequiresReplace = append(resp.RequiresReplace, replacePaths(schemaReplacements(providers.VolumeSchema, before, after), tfName)...)
			return
		}
		c := r.c.check(ctx, "volume."+plan.Name.ValueString(), obj, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			addTerraformHint(&resp.Diagnostics)
			return
		}
		if c != nil && c.Action == planner.Replace {
			paths := replacePaths(c.ReplacePaths, tfName)
			if len(paths) == 0 {
				// A volume whose create or delete failed is made again.
				// Terraform replaces only for a path whose value changes.
				resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), types.StringUnknown())...)
				paths = append(paths, path.Root("status"))
				resp.Diagnostics.AddWarning("Volume will be replaced", c.Address+": "+c.Detail)
			}
			resp.RequiresReplace = append(resp.RequiresReplace, paths...)
		}
		return
	}
	if ok && prior == nil && current(rec, obj.Address()) == nil {
		// A create: the scheduler must find a pool now (the apply places
		// it again with the pools as they are then). A replacement's old
		// volume is still recorded; it goes before the new one is placed.
		r.c.check(ctx, "volume."+plan.Name.ValueString(), obj, &resp.Diagnostics)
	}
}

// addTerraformHint says how to do in Terraform what the engine's
// diagnostics tell CLI users to do with -replace.
func addTerraformHint(diags *diag.Diagnostics) {
	for i, d := range *diags {
		if d.Summary() == "Volume size cannot shrink" {
			(*diags)[i] = diag.NewErrorDiagnostic(d.Summary(), d.Detail()+
				"\nWith Terraform or OpenTofu nothing was changed. To destroy this volume and its data and make a new, smaller one instead, mark it for replacement with: terraform taint <resource address> (tofu taint), then apply.")
		}
	}
}

func plannedStr(v types.String) any {
	if v.IsUnknown() {
		return nil // unset zones take the pool's: no change
	}
	return strOrNil(v)
}

// sourceAttr names the source attribute that changed between prior and
// plan (the one the prior set when none did).
func sourceAttr(prior, plan *volumeModel) string {
	names := []string{"source_snapshot_id", "source_volume_id", "source_backup_id"}
	before := []types.String{prior.SourceSnapshotID, prior.SourceVolumeID, prior.SourceBackupID}
	after := []types.String{plan.SourceSnapshotID, plan.SourceVolumeID, plan.SourceBackupID}
	for i := range names {
		if !after[i].IsNull() && !before[i].Equal(after[i]) {
			return names[i]
		}
	}
	for i := range names {
		if !before[i].IsNull() {
			return names[i]
		}
	}
	return names[0]
}

// sourceOf is the source for schemaReplacements: its ID stands in for the
// address.
func sourceOf(m *volumeModel, planned bool) any {
	for _, v := range []types.String{m.SourceSnapshotID, m.SourceVolumeID, m.SourceBackupID} {
		if planned && v.IsUnknown() {
			return unknownValue
		}
		if s := strOrNil(v); s != nil {
			return s
		}
	}
	return nil
}

func (r *volumeResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.write(ctx, req.Plan.Get, true, &resp.State, &resp.Diagnostics)
}

func (r *volumeResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.write(ctx, req.Plan.Get, false, &resp.State, &resp.Diagnostics)
}

type getter func(context.Context, any) diag.Diagnostics

type stateSetter interface {
	Set(context.Context, any) diag.Diagnostics
}

func (r *volumeResource) write(ctx context.Context, get getter, create bool, st stateSetter, diags *diag.Diagnostics) {
	if !r.c.ready(diags) {
		return
	}
	var m volumeModel
	diags.Append(get(ctx, &m)...)
	if diags.HasError() {
		return
	}
	rec := r.c.read(ctx, diags)
	if rec == nil {
		return
	}
	obj, ok := r.object(ctx, &m, rec, diags)
	if !ok || diags.HasError() {
		if !diags.HasError() {
			diags.AddError("Values unknown at apply", "A volume's references must be known when it is applied.")
		}
		return
	}
	got := r.c.apply(ctx, obj.Address(), obj, create, diags)
	if diags.HasError() {
		return
	}
	v, isVol := got.(*state.Volume)
	if !isVol {
		diags.AddError("Volume not recorded", obj.Address()+" is not in the state store after the apply.")
		return
	}
	after := r.c.read(ctx, diags)
	if after == nil {
		return
	}
	r.fill(&m, v, after)
	diags.Append(st.Set(ctx, &m)...)
}

// fill copies the recorded volume into the model; configured values keep
// the spelling the plan gave them.
func (r *volumeResource) fill(m *volumeModel, v *state.Volume, rec *state.State) {
	m.ID, m.Name, m.Size = types.StringValue(v.ID), types.StringValue(nameOf(v.Address)), types.Int64Value(int64(v.SizeGiB))
	m.Type = types.StringNull()
	if v.TypeID != "" {
		m.Type = types.StringValue(nameOf(rec.AddressIndex()(v.TypeID)))
	}
	m.AvailabilityZone = types.StringValue(v.AvailabilityZone)
	m.Description = strValue(v.Description, m.Description)
	m.Metadata = mapValue(v.Metadata, m.Metadata)
	m.Pool, m.Status, m.ProviderLocation = types.StringValue(v.Pool), types.StringValue(v.Status), types.StringValue(v.ProviderLocation)
	m.QoSLimits = mapValue(planner.VolumeQoSLimits(rec, v), types.MapNull(types.StringType))
}

func (r *volumeResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !r.c.ready(&resp.Diagnostics) {
		return
	}
	var m volumeModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	obj, rec, ok := r.c.refresh(ctx, state.KindVolume, m.ID.ValueString(), m.Name.ValueString(), resp)
	if !ok {
		return
	}
	v := obj.(*state.Volume)
	imported := m.Pool.IsNull()
	r.fill(&m, v, rec)
	if imported {
		// Imported: the source comes from the record; afterwards the
		// configuration's spelling is kept (removing it changes nothing).
		switch v.SourceKind {
		case "snapshot":
			m.SourceSnapshotID = types.StringValue(v.SourceID)
		case "volume":
			m.SourceVolumeID = types.StringValue(v.SourceID)
		case "backup":
			m.SourceBackupID = types.StringValue(v.SourceID)
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *volumeResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if !r.c.ready(&resp.Diagnostics) {
		return
	}
	var m volumeModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.c.apply(ctx, "volume."+m.Name.ValueString(), nil, false, &resp.Diagnostics)
}

func (r *volumeResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByID(ctx, r.c, state.KindVolume, req, resp)
}
