package providers

import (
	"context"
	"fmt"

	"github.com/slab-storage/slab/state"
)

// QoSSchema and VolumeTypeSchema describe catalog-only kinds: they live in
// the state store and are read by the scheduler and by attachments; no
// driver call creates them, so every change is in place.
var QoSSchema = &Schema{Kind: "qos", Attributes: []Attribute{
	{Name: "id", Type: String, Rule: Computed},
	{Name: "consumer", Type: String, Rule: InPlace},
	{Name: "specs", Type: StringMap, Rule: InPlace},
}}

var VolumeTypeSchema = &Schema{Kind: "volume_type", Attributes: []Attribute{
	{Name: "id", Type: String, Rule: Computed},
	{Name: "description", Type: String, Rule: InPlace},
	{Name: "extra_specs", Type: StringMap, Rule: InPlace},
	{Name: "qos", Type: String, Rule: InPlace},
}}

type qosKind struct{}

func (qosKind) Schema() *Schema { return QoSSchema }

func (qosKind) Attrs(obj state.Object, _ func(string) string) Attrs {
	q := obj.(*state.QoS)
	return Attrs{"id": q.ID, "consumer": q.Consumer, "specs": mapOrNil(q.Specs)}
}

func (qosKind) Create(ctx context.Context, env Env, op Op) error {
	now := env.Now()
	q := &state.QoS{ID: env.NewID(), Address: op.Address, Name: op.Name, CreatedAt: now}
	return putQoS(ctx, env, q, op, "create")
}

func (qosKind) Update(ctx context.Context, env Env, op Op) error {
	obj, ok := env.Lookup(state.KindQoS, op.ID)
	if !ok {
		return fmt.Errorf("%s (%s) is not recorded", op.Address, op.ID)
	}
	cur := *obj.(*state.QoS)
	return putQoS(ctx, env, &cur, op, "update")
}

func putQoS(ctx context.Context, env Env, q *state.QoS, op Op, action string) error {
	q.Consumer, q.Specs, q.Sensitive, q.UpdatedAt = str(op.After, "consumer"), strMap(op.After, "specs"), op.Sensitive, env.Now()
	return env.Record(ctx, state.Write{Put: q, Event: state.Event{Action: action, Detail: ChangeSummary(QoSSchema, op)}})
}

func (qosKind) Delete(ctx context.Context, env Env, op Op) error {
	return env.Record(ctx, state.Write{Delete: &state.Ref{Kind: state.KindQoS, ID: op.ID}, Event: state.Event{Action: "delete", Address: op.Address}})
}

type volumeTypeKind struct{}

func (volumeTypeKind) Schema() *Schema { return VolumeTypeSchema }

func (volumeTypeKind) Attrs(obj state.Object, addressOf func(string) string) Attrs {
	t := obj.(*state.VolumeType)
	a := Attrs{"id": t.ID, "description": nonEmpty(t.Description), "extra_specs": mapOrNil(t.ExtraSpecs)}
	if t.QoSID != "" {
		a["qos"] = addressOf(t.QoSID)
	}
	return a
}

func (volumeTypeKind) Create(ctx context.Context, env Env, op Op) error {
	now := env.Now()
	t := &state.VolumeType{ID: env.NewID(), Address: op.Address, Name: op.Name, CreatedAt: now}
	return putVolumeType(ctx, env, t, op, "create")
}

func (volumeTypeKind) Update(ctx context.Context, env Env, op Op) error {
	obj, ok := env.Lookup(state.KindVolumeType, op.ID)
	if !ok {
		return fmt.Errorf("%s (%s) is not recorded", op.Address, op.ID)
	}
	cur := *obj.(*state.VolumeType)
	return putVolumeType(ctx, env, &cur, op, "update")
}

func putVolumeType(ctx context.Context, env Env, t *state.VolumeType, op Op, action string) error {
	qosID, err := resolveID(env, str(op.After, "qos"))
	if err != nil {
		return err
	}
	t.Description, t.ExtraSpecs, t.QoSID, t.Sensitive = str(op.After, "description"), strMap(op.After, "extra_specs"), qosID, op.Sensitive
	t.UpdatedAt = env.Now()
	return env.Record(ctx, state.Write{Put: t, Event: state.Event{Action: action, Detail: ChangeSummary(VolumeTypeSchema, op)}})
}

func (volumeTypeKind) Delete(ctx context.Context, env Env, op Op) error {
	return env.Record(ctx, state.Write{Delete: &state.Ref{Kind: state.KindVolumeType, ID: op.ID}, Event: state.Event{Action: "delete", Address: op.Address}})
}
