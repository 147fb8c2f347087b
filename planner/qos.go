package planner

import (
	"github.com/slab-storage/slab/hcl/config"
	"github.com/slab-storage/slab/providers"
	"github.com/slab-storage/slab/state"
)

// addQoSLimits shows, on every volume change, the limits its type's QoS
// gives it at its size: the configured ones after, the recorded ones
// before. Per-GB specs make these move with the size.
func (p *planner) addQoSLimits(cfg *config.Config) {
	desiredSpecs := map[string]map[string]string{} // type address → QoS specs
	qosByAddr := map[string]map[string]string{}
	for _, q := range cfg.QoS {
		qosByAddr[q.Address] = q.Specs
	}
	for _, t := range cfg.VolumeTypes {
		if t.QoS != "" {
			desiredSpecs[t.Address] = qosByAddr[t.QoS]
		}
	}
	recordedSpecs := map[string]map[string]string{} // type ID → QoS specs
	qosByID := map[string]*state.QoS{}
	for _, q := range p.refreshed.QoS {
		qosByID[q.ID] = q
	}
	for _, t := range p.refreshed.VolumeTypes {
		if q := qosByID[t.QoSID]; q != nil {
			recordedSpecs[t.ID] = q.Specs
		}
	}
	volByID := map[string]*state.Volume{}
	for _, v := range p.refreshed.Volumes {
		volByID[v.ID] = v
	}
	for _, c := range p.changes {
		if c.Kind != "volume" || c.Action == NoOp {
			continue
		}
		if v := volByID[c.ID]; v != nil && c.Before != nil {
			setLimits(c.Before, providers.QoSLimits(recordedSpecs[v.TypeID], v.SizeGiB))
		}
		if c.After != nil {
			typ, _ := c.After["type"].(string)
			setLimits(c.After, providers.QoSLimits(desiredSpecs[typ], sizeOf(c)))
		}
	}
}

func setLimits(a providers.Attrs, limits map[string]string) {
	if limits != nil {
		a["qos_limits"] = limits
	}
}
