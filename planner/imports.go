package planner

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/slab-storage/slab/hcl/config"
	"github.com/slab-storage/slab/providers"
	"github.com/slab-storage/slab/state"
)

// ImportSource says where an imported object comes from.
type ImportSource struct {
	// ID is the object's slab ID once imported.
	ID string `json:"id"`
	// Pool holds the object ("backend#pool").
	Pool string `json:"pool"`
	// Ref names a file slab did not manage yet (Cinder's manage existing):
	// the apply renames it to the volume ID. Empty for an object that
	// already carries a slab ID.
	Ref string `json:"ref,omitempty"`
}

// Unmanaged is an object on a declared pool that no stack of the state
// store records. slab never deletes these; it names them so they can be
// imported.
type Unmanaged struct {
	Pool    string `json:"pool"`
	Kind    string `json:"kind"` // volume, snapshot, or file (adoptable)
	ID      string `json:"id"`   // what slab import takes
	SizeGiB int    `json:"size"`
	// VolumeID is a snapshot's volume.
	VolumeID string `json:"volume_id,omitempty"`
}

// planImports turns import requests into recorded objects the diff sees,
// as if they had been recorded already: the plan then shows the import and
// whatever update brings the object in line with its configuration.
func (p *planner) planImports(imports []*config.Import) map[string]*ImportSource {
	out := map[string]*ImportSource{}
	for _, im := range imports {
		d, configured := p.desired[im.To]
		if !configured {
			p.importError(im, "Import target not in the configuration",
				fmt.Sprintf("%s is not declared. Declare the block the object should become, then import into it.", im.To))
			continue
		}
		if r, ok := p.recorded[im.To]; ok {
			// An import block that did its work stays in the configuration
			// and is then a no-op, as in Terraform; slab import insists.
			if fromBlock := im.Range.Filename != ""; !fromBlock && r.obj.ObjectID() != im.ID {
				p.importError(im, "Import target is already managed",
					fmt.Sprintf("%s is already recorded as %s %s. To adopt another object there, first forget this one with slab state rm %s.", im.To, r.kind, r.obj.ObjectID(), im.To))
			}
			continue // already imported: nothing to do
		}
		if stack, ok := p.opts.ForeignIDs[im.ID]; ok {
			p.importError(im, "Object belongs to another stack",
				fmt.Sprintf("%s is recorded by stack %q. An object is managed by one stack; remove it there first (slab state rm) if it should move.", im.ID, stack))
			continue
		}
		obj, src, err := p.findImport(d, im)
		if err != "" {
			p.importError(im, "Cannot import "+im.To, err)
			continue
		}
		p.recorded[im.To] = recordedObject{kind: d.kind, obj: obj}
		p.refreshed = withObject(p.refreshed, obj)
		out[im.To] = src
	}
	return out
}

// findImport looks for the object on the pools and reads it as a record.
func (p *planner) findImport(d *desired, im *config.Import) (state.Object, *ImportSource, string) {
	now := p.opts.Now().UTC()
	common := d.common
	if pool, ref, isRef := strings.Cut(im.ID, "/"); isRef {
		if d.kind != "volume" {
			return nil, nil, fmt.Sprintf("%s names a file to adopt, and only volumes are adopted from files; import a snapshot by its slab ID.", im.ID)
		}
		view, ok := p.views[pool]
		if !ok {
			return nil, nil, fmt.Sprintf("No pool %q is declared. The id of a file to adopt is backend#pool/FILE, with the pool's name as in slab schedule output (%s).", pool, strings.Join(p.poolNames(), ", "))
		}
		m, ok := view.manageable[ref]
		if !ok {
			return nil, nil, fmt.Sprintf("Pool %s has no adoptable file named %q. Adoptable files are regular files in the pool's volumes directory that slab does not manage; run slab plan to see them listed as unmanaged.", pool, ref)
		}
		id := newID()
		v := &state.Volume{ID: id, Address: common.Address, Name: common.Name, Pool: pool, SizeGiB: m.SizeGiB(),
			Status: "available", AvailabilityZone: view.spec.Config.AvailabilityZone, CreatedAt: now, UpdatedAt: now}
		return v, &ImportSource{ID: id, Pool: pool, Ref: ref}, ""
	}
	for _, name := range p.poolNames() {
		view := p.views[name]
		switch d.kind {
		case "volume":
			if found, ok := view.volumes[im.ID]; ok {
				v := &state.Volume{ID: im.ID, Address: common.Address, Name: common.Name, Pool: name, SizeGiB: found.SizeGiB(),
					Status: "available", AvailabilityZone: view.spec.Config.AvailabilityZone, ProviderLocation: found.ProviderLocation,
					CreatedAt: now, UpdatedAt: now}
				return v, &ImportSource{ID: im.ID, Pool: name}, ""
			}
		case "snapshot":
			if found, ok := view.snapshots[im.ID]; ok {
				if p.addressOf(found.VolumeID) == "" {
					return nil, nil, fmt.Sprintf("Snapshot %s belongs to volume %s, which this stack does not manage. Import the volume first.", im.ID, found.VolumeID)
				}
				s := &state.Snapshot{ID: im.ID, Address: common.Address, Name: common.Name, VolumeID: found.VolumeID, Pool: name,
					SizeGiB: found.SizeGiB(), Status: "available", CreatedAt: now, UpdatedAt: now}
				return s, &ImportSource{ID: im.ID, Pool: name}, ""
			}
		}
	}
	return nil, nil, fmt.Sprintf("No declared pool holds a %s with ID %q. Check the ID (slab plan lists unmanaged objects on the pools), or adopt a file with id = \"backend#pool/FILE\".", d.kind, im.ID)
}

func (p *planner) importError(im *config.Import, summary, detail string) {
	d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail}
	if im.Range.Filename != "" {
		rng := im.Range
		d.Subject = &rng
	}
	p.diags = append(p.diags, d)
}

func (p *planner) poolNames() []string { return providers.SortedKeys(p.views) }

// withObject is st with one more object (a copy: the record read from the
// store is not changed).
func withObject(st *state.State, o state.Object) *state.State {
	out := *st
	switch x := o.(type) {
	case *state.Volume:
		out.Volumes = append(append([]*state.Volume(nil), st.Volumes...), x)
	case *state.Snapshot:
		out.Snapshots = append(append([]*state.Snapshot(nil), st.Snapshots...), x)
	}
	return &out
}

// markImports attaches each import to its change and refuses imports the
// configuration would immediately replace: the object would be destroyed
// as soon as it was adopted.
func (p *planner) markImports(sources map[string]*ImportSource, imports []*config.Import) {
	for _, im := range imports {
		src := sources[im.To]
		c := p.byAddr[im.To]
		if src == nil || c == nil {
			continue
		}
		if c.Deletes() {
			p.importError(im, "Import would replace the object",
				fmt.Sprintf("Adopting %s as %s would replace it at once (%s), destroying its data. Change the configuration to match the object (its pool's availability zone, its source) before importing.", im.ID, im.To, reasonText(c)))
			continue
		}
		c.Import = src
	}
}

// findUnmanaged lists what the pools hold that no stack records, nor
// this plan imports.
func (p *planner) findUnmanaged(rec *state.State, importing map[string]*ImportSource) []Unmanaged {
	mine := map[string]bool{}
	for _, o := range rec.Objects() {
		mine[o.ObjectID()] = true
	}
	adopting := map[string]bool{}
	for _, src := range importing {
		mine[src.ID] = true
		adopting[src.Pool+"/"+src.Ref] = true
	}
	owned := func(id string) bool {
		_, elsewhere := p.opts.ForeignIDs[id]
		return mine[id] || elsewhere
	}
	var out []Unmanaged
	for _, name := range p.poolNames() {
		view := p.views[name]
		for _, id := range providers.SortedKeys(view.volumes) {
			if !owned(id) {
				out = append(out, Unmanaged{Pool: name, Kind: "volume", ID: id, SizeGiB: view.volumes[id].SizeGiB()})
			}
		}
		for _, id := range providers.SortedKeys(view.snapshots) {
			if s := view.snapshots[id]; !owned(id) {
				out = append(out, Unmanaged{Pool: name, Kind: "snapshot", ID: id, SizeGiB: s.SizeGiB(), VolumeID: s.VolumeID})
			}
		}
		for _, ref := range providers.SortedKeys(view.manageable) {
			if adopting[name+"/"+ref] {
				continue
			}
			out = append(out, Unmanaged{Pool: name, Kind: "file", ID: name + "/" + ref, SizeGiB: view.manageable[ref].SizeGiB()})
		}
	}
	return out
}
