package planner

import (
	"slices"
	"sort"

	"github.com/zclconf/go-cty/cty"

	"github.com/slab-storage/slab/hcl/config"
	"github.com/slab-storage/slab/providers"
	"github.com/slab-storage/slab/state"
)

// desired is one configured instance, read as attributes.
type desired struct {
	kind      string
	common    *config.Common
	attrs     providers.Attrs
	lifecycle config.Lifecycle
	// volume only: the type's name, extra specs and QoS specs, for
	// scheduling and retype checks.
	typeName   string
	extraSpecs map[string]string
	qosSpecs   map[string]string
	// hints are the volume's scheduler_hints, read when it is placed.
	hints map[string]cty.Value
	// secretRequest: the volume's size or zone, or its type's extra specs,
	// come from sensitive values, so scheduler reasons (which quote them)
	// are not shown.
	secretRequest bool
}

// desiredObjects reads every configured instance, keyed by address, and
// the set of "kind.name" blocks that exist (to explain deletions of keys).
func desiredObjects(cfg *config.Config) (map[string]*desired, map[string]bool) {
	out := map[string]*desired{}
	blocks := map[string]bool{}
	add := func(d *desired) {
		out[d.common.Address] = d
		blocks[d.kind+"."+d.common.Name] = true
	}
	for _, q := range cfg.QoS {
		add(&desired{kind: "qos", common: &q.Common, attrs: providers.Attrs{
			"consumer": q.Consumer, "specs": mapAttr(q.Specs)}})
	}
	specs := map[string]map[string]string{}
	secretSpecs := map[string]bool{}
	typeNames := map[string]string{}
	qosSpecs := map[string]map[string]string{}
	qosByAddr := map[string]map[string]string{}
	qosSecret := map[string]bool{}
	for _, q := range cfg.QoS {
		qosByAddr[q.Address] = q.Specs
		qosSecret[q.Address] = slices.Contains(q.Sensitive, "specs")
	}
	for _, t := range cfg.VolumeTypes {
		specs[t.Address] = t.ExtraSpecs
		typeNames[t.Address] = t.Name
		qosSpecs[t.Address] = qosByAddr[t.QoS]
		secretSpecs[t.Address] = slices.Contains(t.Sensitive, "extra_specs") || qosSecret[t.QoS]
		add(&desired{kind: "volume_type", common: &t.Common, attrs: providers.Attrs{
			"description": strAttr(t.Description), "extra_specs": mapAttr(t.ExtraSpecs), "qos": strAttr(t.QoS)}})
	}
	for _, v := range cfg.Volumes {
		secret := secretSpecs[v.Type] || slices.ContainsFunc(v.Sensitive, func(a string) bool {
			return a == "size" || a == "availability_zone" || a == "scheduler_hints"
		})
		add(&desired{kind: "volume", common: &v.Common, lifecycle: v.Lifecycle, typeName: typeNames[v.Type], extraSpecs: specs[v.Type], qosSpecs: qosSpecs[v.Type], secretRequest: secret, hints: v.SchedulerHints, attrs: providers.Attrs{
			"size": int64(v.Size), "type": strAttr(v.Type), "availability_zone": strAttr(v.AvailabilityZone),
			"source": strAttr(v.Source.Address), "description": strAttr(v.Description), "metadata": mapAttr(v.Metadata),
			"revert_to": strAttr(v.RevertTo)}})
	}
	for _, s := range cfg.Snapshots {
		add(&desired{kind: "snapshot", common: &s.Common, lifecycle: s.Lifecycle, attrs: providers.Attrs{
			"volume": s.Volume, "description": strAttr(s.Description), "metadata": mapAttr(s.Metadata)}})
	}
	desiredBackups(cfg, add)
	return out, blocks
}

func strAttr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func mapAttr(m map[string]string) any {
	if len(m) == 0 {
		return nil
	}
	return m
}

// recordedObject is one recorded object with its kind's name.
type recordedObject struct {
	kind string
	obj  state.Object
}

// recordedByAddress groups the (refreshed) record by address. An address
// can hold more than one object after an interrupted replacement; the
// newest is current and the rest are deposed.
func recordedByAddress(st *state.State) (map[string]recordedObject, []recordedObject) {
	current := map[string]recordedObject{}
	var deposed []recordedObject
	add := func(kind string, o state.Object) {
		if prev, ok := current[o.ObjectAddress()]; ok {
			deposed = append(deposed, prev)
		}
		current[o.ObjectAddress()] = recordedObject{kind: kind, obj: o}
	}
	for _, o := range byCreation(st.Objects()) {
		// A policy's backups are planned by its rules (backups_plan.go).
		if b, ok := o.(*state.Backup); ok && b.Policy != "" {
			continue
		}
		if k := o.ObjectKind(); k != state.KindPool {
			add(string(o.ObjectKind()), o)
		}
	}
	return current, deposed
}

// byCreation orders objects so that, at one address, the newest comes last.
func byCreation(objs []state.Object) []state.Object {
	sort.SliceStable(objs, func(i, j int) bool {
		a, b := objs[i], objs[j]
		if a.ObjectAddress() != b.ObjectAddress() {
			return a.ObjectAddress() < b.ObjectAddress()
		}
		return state.CreatedAt(a).Before(state.CreatedAt(b))
	})
	return objs
}

// oldDependencies lists the addresses a recorded object needs to exist.
func oldDependencies(o state.Object, addressOf func(string) string) []string {
	var ids []string
	switch x := o.(type) {
	case *state.VolumeType:
		ids = []string{x.QoSID}
	case *state.Volume:
		ids = []string{x.TypeID, x.SourceID}
	case *state.Snapshot:
		ids = []string{x.VolumeID}
	case *state.Backup:
		ids = []string{x.ParentID}
	}
	var out []string
	for _, id := range ids {
		if id == "" {
			continue
		}
		if a := addressOf(id); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// union merges two name lists, sorted and without repeats.
func union(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range append(append([]string(nil), a...), b...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// isTainted: the object is recorded but a create or delete of it failed,
// so it must be made again.
func isTainted(o state.Object) (bool, string) {
	switch x := o.(type) {
	case *state.Volume:
		if x.Status == providers.StatusError || x.Status == providers.StatusErrorDeleting {
			return true, x.StatusReason
		}
	case *state.Snapshot:
		if x.Status == providers.StatusError || x.Status == providers.StatusErrorDeleting {
			return true, x.StatusReason
		}
	case *state.Backup:
		// A backup still creating when a plan is made was interrupted (the
		// stack lock keeps applies apart): it is taken again.
		switch x.Status {
		case BackupError, BackupErrorDeleting:
			return true, x.StatusReason
		case BackupCreating:
			return true, "the backup was interrupted before it completed"
		}
	}
	return false, ""
}
