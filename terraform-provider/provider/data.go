package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/slab-storage/slab/drivers"
	"github.com/slab-storage/slab/planner"
	"github.com/slab-storage/slab/state"
)

var pathID = path.Root("id")

type poolsDataSource struct{ c *client }

func newPoolsDataSource() datasource.DataSource { return &poolsDataSource{} }

type poolsModel struct {
	Pools []poolModel `tfsdk:"pools"`
}

type poolModel struct {
	Name                     types.String  `tfsdk:"name"`
	Backend                  types.String  `tfsdk:"backend"`
	Pool                     types.String  `tfsdk:"pool"`
	Driver                   types.String  `tfsdk:"driver"`
	AvailabilityZone         types.String  `tfsdk:"availability_zone"`
	TotalCapacityGB          types.Float64 `tfsdk:"total_capacity_gb"`
	FreeCapacityGB           types.Float64 `tfsdk:"free_capacity_gb"`
	ProvisionedCapacityGB    types.Float64 `tfsdk:"provisioned_capacity_gb"`
	AllocatedCapacityGB      types.Float64 `tfsdk:"allocated_capacity_gb"`
	ReservedPercentage       types.Int64   `tfsdk:"reserved_percentage"`
	MaxOverSubscriptionRatio types.String  `tfsdk:"max_over_subscription_ratio"`
	ThinProvisioningSupport  types.Bool    `tfsdk:"thin_provisioning_support"`
	TotalVolumes             types.Int64   `tfsdk:"total_volumes"`
}

func (d *poolsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pools"
}

func (d *poolsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.Attribute { return schema.StringAttribute{Computed: true, Description: desc} }
	num := func(desc string) schema.Attribute { return schema.Float64Attribute{Computed: true, Description: desc} }
	resp.Schema = schema.Schema{
		Description: "Every pool of the backends in config_dir, with the stats its driver reports (as Cinder's get_volume_stats). Capacity counts every volume on the pool, whichever stack or front end made it.",
		Attributes: map[string]schema.Attribute{
			"pools": schema.ListNestedAttribute{Computed: true, Description: "The pools, by name.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":                        str("backend#pool, the scheduler's name and slab_volume's pool."),
					"backend":                     str("The backend block's name."),
					"pool":                        str("The pool block's name."),
					"driver":                      str("The backend's driver."),
					"availability_zone":           str("The backend's availability zone."),
					"total_capacity_gb":           num("Total capacity in GiB (-1 when the driver reports infinite or unknown)."),
					"free_capacity_gb":            num("Free capacity in GiB (-1 when the driver reports infinite or unknown)."),
					"provisioned_capacity_gb":     num("Sum of the sizes of the volumes on the pool, in GiB."),
					"allocated_capacity_gb":       num("Space the volumes really use, in GiB."),
					"reserved_percentage":         schema.Int64Attribute{Computed: true, Description: "Capacity kept free, in percent."},
					"max_over_subscription_ratio": str("The over-subscription ratio for thin volumes (a number or auto)."),
					"thin_provisioning_support":   schema.BoolAttribute{Computed: true, Description: "Whether the pool makes thin volumes."},
					"total_volumes":               schema.Int64Attribute{Computed: true, Description: "Volumes on the pool."},
				}}},
		},
	}
}

func (d *poolsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.c = clientOf(req.ProviderData, &resp.Diagnostics)
}

func (d *poolsDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !d.c.ready(&resp.Diagnostics) {
		return
	}
	m := poolsModel{Pools: []poolModel{}}
	for _, p := range planner.ReadPoolStats(ctx, d.c.pools) {
		if p.Err != nil {
			resp.Diagnostics.AddError("Cannot read pool "+p.Spec.Config.FullName(), p.Err.Error()+"\nCheck the pool's path and driver settings in its backend block.")
			continue
		}
		s := p.Stats
		m.Pools = append(m.Pools, poolModel{
			Name: types.StringValue(p.Spec.Config.FullName()), Backend: types.StringValue(p.Spec.Config.Backend),
			Pool: types.StringValue(p.Spec.Config.Name), Driver: types.StringValue(p.Spec.Driver),
			AvailabilityZone:         types.StringValue(p.Spec.Config.AvailabilityZone),
			TotalCapacityGB:          types.Float64Value(capacity(s.TotalCapacityGB)),
			FreeCapacityGB:           types.Float64Value(capacity(s.FreeCapacityGB)),
			ProvisionedCapacityGB:    types.Float64Value(s.ProvisionedCapacityGB),
			AllocatedCapacityGB:      types.Float64Value(s.AllocatedCapacityGB),
			ReservedPercentage:       types.Int64Value(int64(s.ReservedPercentage)),
			MaxOverSubscriptionRatio: types.StringValue(s.MaxOverSubscriptionRatio),
			ThinProvisioningSupport:  types.BoolValue(s.ThinProvisioningSupport),
			TotalVolumes:             types.Int64Value(int64(s.TotalVolumes)),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

type volumeTypeDataSource struct{ c *client }

func newVolumeTypeDataSource() datasource.DataSource { return &volumeTypeDataSource{} }

type volumeTypeDataModel struct {
	Name        types.String `tfsdk:"name"`
	Stack       types.String `tfsdk:"stack"`
	ID          types.String `tfsdk:"id"`
	Description types.String `tfsdk:"description"`
	ExtraSpecs  types.Map    `tfsdk:"extra_specs"`
	QoS         types.String `tfsdk:"qos"`
	QoSSpecs    types.Map    `tfsdk:"qos_specs"`
}

func (d *volumeTypeDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_volume_type"
}

func (d *volumeTypeDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "A volume type recorded in the state store, by name: one of this provider's stack, or of another stack (such as a slab CLI configuration's).",
		Attributes: map[string]schema.Attribute{
			"name":        schema.StringAttribute{Required: true, Description: "The volume type's name."},
			"stack":       schema.StringAttribute{Optional: true, Description: "The stack to read; default: the provider's."},
			"id":          schema.StringAttribute{Computed: true, Description: "The volume type's slab ID."},
			"description": schema.StringAttribute{Computed: true, Description: "Free text."},
			"extra_specs": schema.MapAttribute{Computed: true, ElementType: types.StringType, Description: "The type's extra specs."},
			"qos":         schema.StringAttribute{Computed: true, Description: "The name of the type's QoS spec, if any."},
			"qos_specs":   schema.MapAttribute{Computed: true, ElementType: types.StringType, Description: "That QoS spec's keys and values."},
		},
	}
}

func (d *volumeTypeDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.c = clientOf(req.ProviderData, &resp.Diagnostics)
}

func (d *volumeTypeDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !d.c.ready(&resp.Diagnostics) {
		return
	}
	var m volumeTypeDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	stack := d.c.stack
	if s := m.Stack.ValueString(); s != "" {
		stack = s
	}
	rec, err := d.c.store.Read(ctx, stack)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the state store", err.Error())
		return
	}
	t, ok := current(rec, "volume_type."+m.Name.ValueString()).(*state.VolumeType)
	if !ok {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "No such volume type",
			fmt.Sprintf("No volume type %q is recorded in stack %q. slab state list shows what a stack holds.", m.Name.ValueString(), stack))
		return
	}
	tm := volumeTypeModel{}
	fillVolumeType(&tm, t, rec)
	m.Stack = types.StringValue(stack)
	m.ID, m.Description, m.ExtraSpecs, m.QoS = tm.ID, tm.Description, tm.ExtraSpecs, tm.QoS
	m.QoSSpecs = types.MapNull(types.StringType)
	for _, q := range rec.QoS {
		if q.ID == t.QoSID {
			m.QoSSpecs = mapValue(q.Specs, types.MapNull(types.StringType))
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// capacity is a reported capacity, -1 for infinite or unknown.
func capacity(c drivers.Capacity) float64 {
	if !c.Finite() {
		return -1
	}
	return c.GiB
}
