package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/slab-storage/slab/planner"
	"github.com/slab-storage/slab/providers"
	"github.com/slab-storage/slab/state"
)

// catalogResource is a kind that lives only in the state store (QoS specs,
// volume types): every change is in place, and the engine records it.
type catalogResource struct {
	c    *client
	kind state.Kind
	// object reads the model into the engine's object; fill copies a
	// recorded object back.
	newModel func() any
	object   func(ctx context.Context, m any, diags *diag.Diagnostics) *planner.Object
	fill     func(m any, o state.Object, rec *state.State)
	name     func(m any) string
	schema   schema.Schema
}

func (r *catalogResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + string(r.kind)
}

func (r *catalogResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = r.schema
}

func (r *catalogResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.c = clientOf(req.ProviderData, &resp.Diagnostics)
}

func (r *catalogResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.write(ctx, req.Plan.Get, true, &resp.State, &resp.Diagnostics)
}

func (r *catalogResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.write(ctx, req.Plan.Get, false, &resp.State, &resp.Diagnostics)
}

func (r *catalogResource) write(ctx context.Context, get getter, create bool, st stateSetter, diags *diag.Diagnostics) {
	if !r.c.ready(diags) {
		return
	}
	m := r.newModel()
	diags.Append(get(ctx, m)...)
	if diags.HasError() {
		return
	}
	obj := r.object(ctx, m, diags)
	if diags.HasError() {
		return
	}
	got := r.c.apply(ctx, obj.Address(), obj, create, diags)
	rec := r.c.read(ctx, diags)
	if diags.HasError() || rec == nil {
		return
	}
	if got == nil {
		diags.AddError("Object not recorded", obj.Address()+" is not in the state store after the apply.")
		return
	}
	r.fill(m, got, rec)
	diags.Append(st.Set(ctx, m)...)
}

func (r *catalogResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !r.c.ready(&resp.Diagnostics) {
		return
	}
	m := r.newModel()
	resp.Diagnostics.Append(req.State.Get(ctx, m)...)
	rec := r.c.read(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || rec == nil {
		return
	}
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, pathID, &id)...)
	obj, found := planner.FindObject(rec, r.kind, id.ValueString())
	if !found {
		resp.State.RemoveResource(ctx)
		return
	}
	r.fill(m, obj, rec)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (r *catalogResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if !r.c.ready(&resp.Diagnostics) {
		return
	}
	m := r.newModel()
	resp.Diagnostics.Append(req.State.Get(ctx, m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.c.apply(ctx, string(r.kind)+"."+r.name(m), nil, false, &resp.Diagnostics)
}

func (r *catalogResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByID(ctx, r.c, r.kind, req, resp)
}

var nameReplaces = []planmodifier.String{stringplanmodifier.RequiresReplace()}
var keepID = []planmodifier.String{stringplanmodifier.UseStateForUnknown()}

type qosModel struct {
	ID       types.String `tfsdk:"id"`
	Name     types.String `tfsdk:"name"`
	Consumer types.String `tfsdk:"consumer"`
	Specs    types.Map    `tfsdk:"specs"`
}

func newQoSResource() resource.Resource {
	return &catalogResource{kind: state.KindQoS,
		newModel: func() any { return &qosModel{} },
		name:     func(m any) string { return m.(*qosModel).Name.ValueString() },
		object: func(ctx context.Context, a any, diags *diag.Diagnostics) *planner.Object {
			m := a.(*qosModel)
			return &planner.Object{Kind: "qos", Name: m.Name.ValueString(), Attrs: providers.Attrs{
				"consumer": m.Consumer.ValueString(), "specs": mapOrNilAny(stringMap(ctx, m.Specs, diags))}}
		},
		fill: func(a any, o state.Object, _ *state.State) {
			m, q := a.(*qosModel), o.(*state.QoS)
			m.ID, m.Name, m.Consumer = types.StringValue(q.ID), types.StringValue(nameOf(q.Address)), types.StringValue(q.Consumer)
			m.Specs = mapValue(q.Specs, m.Specs)
		},
		schema: schema.Schema{
			Description: "A QoS spec (Cinder's): limits a volume type gives its volumes. Per-GB keys are resolved for each volume's size.",
			Attributes: map[string]schema.Attribute{
				"id": schema.StringAttribute{Computed: true, PlanModifiers: keepID, Description: "The QoS spec's slab ID."},
				"name": schema.StringAttribute{Required: true, PlanModifiers: nameReplaces,
					Description: "The name, unique in the stack (address qos.<name>); slab_volume_type's qos refers to it."},
				"consumer": schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString("back-end"),
					Description: "front-end (in the attachment's connection info), back-end (to the driver; the default) or both."},
				"specs": schema.MapAttribute{Optional: true, ElementType: types.StringType,
					Description: "Cinder's keys: read/write/total _iops_sec / _bytes_sec, their _max, _per_gb and _per_gb_min, size_iops_sec."},
			},
		},
	}
}

type volumeTypeModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Description types.String `tfsdk:"description"`
	ExtraSpecs  types.Map    `tfsdk:"extra_specs"`
	QoS         types.String `tfsdk:"qos"`
}

func newVolumeTypeResource() resource.Resource {
	return &catalogResource{kind: state.KindVolumeType,
		newModel: func() any { return &volumeTypeModel{} },
		name:     func(m any) string { return m.(*volumeTypeModel).Name.ValueString() },
		object: func(ctx context.Context, a any, diags *diag.Diagnostics) *planner.Object {
			m := a.(*volumeTypeModel)
			return &planner.Object{Kind: "volume_type", Name: m.Name.ValueString(), Attrs: providers.Attrs{
				"description": strOrNil(m.Description), "extra_specs": mapOrNilAny(stringMap(ctx, m.ExtraSpecs, diags)), "qos": ref("qos", m.QoS)}}
		},
		fill: func(a any, o state.Object, rec *state.State) {
			fillVolumeType(a.(*volumeTypeModel), o.(*state.VolumeType), rec)
		},
		schema: schema.Schema{
			Description: "A volume type: extra specs the scheduler matches against pools (Cinder's grammar), and an optional QoS spec.",
			Attributes: map[string]schema.Attribute{
				"id": schema.StringAttribute{Computed: true, PlanModifiers: keepID, Description: "The volume type's slab ID."},
				"name": schema.StringAttribute{Required: true, PlanModifiers: nameReplaces,
					Description: "The name, unique in the stack (address volume_type.<name>); slab_volume's type refers to it."},
				"description": schema.StringAttribute{Optional: true, Description: "Free text."},
				"extra_specs": schema.MapAttribute{Optional: true, ElementType: types.StringType,
					Description: "Extra specs, e.g. \"capabilities:disk\" = \"ssd\", \"provisioning:type\" = \"thin\", with Cinder's operators (<is>, <in>, <or>, >=, s==, …)."},
				"qos": schema.StringAttribute{Optional: true, Description: "The name of a slab_qos in the same stack."},
			},
		},
	}
}

func fillVolumeType(m *volumeTypeModel, t *state.VolumeType, rec *state.State) {
	m.ID, m.Name = types.StringValue(t.ID), types.StringValue(nameOf(t.Address))
	m.Description, m.ExtraSpecs = strValue(t.Description, m.Description), mapValue(t.ExtraSpecs, m.ExtraSpecs)
	m.QoS = types.StringNull()
	if t.QoSID != "" {
		m.QoS = types.StringValue(nameOf(rec.AddressIndex()(t.QoSID)))
	}
}
