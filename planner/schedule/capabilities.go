package schedule

import "encoding/json"

// Capabilities returns the pool's capabilities as Cinder's filters see
// host_state.capabilities: every reported stats key (total_capacity_gb,
// thin_provisioning_support, storage_protocol, …) plus the pool's custom
// capabilities, which win on a clash. volume_backend_name defaults to the
// backend's name, and vendor_name, driver_version and storage_protocol are
// present (as nil) even when not reported, as Cinder fills them.
//
// The map is built once and cached until the pool's stats change
// (Consume/Release); callers must not modify it.
func (p *PoolState) Capabilities() map[string]any {
	if p.caps != nil {
		return p.caps
	}
	caps := map[string]any{"vendor_name": nil, "driver_version": nil, "storage_protocol": nil}
	raw, err := json.Marshal(p.Stats)
	if err == nil {
		var m map[string]any
		if json.Unmarshal(raw, &m) == nil {
			delete(m, "capabilities")
			for k, v := range m {
				if s, ok := v.(string); ok && s == "" && (k == "vendor_name" || k == "driver_version" || k == "storage_protocol" || k == "filter_function" || k == "goodness_function") {
					v = nil // not reported
				}
				caps[k] = v
			}
		}
	}
	if caps["volume_backend_name"] == nil || caps["volume_backend_name"] == "" {
		caps["volume_backend_name"] = p.Backend
	}
	for k, v := range p.Stats.Capabilities {
		caps[k] = v
	}
	p.caps = caps
	return caps
}

// protocolVariants are Cinder's spellings of one storage protocol, in
// Cinder's order (cinder/common/constants.py ISCSI_VARIANTS, FC_VARIANTS,
// NFS_VARIANTS, NVMEOF_VARIANTS): a requirement or expression that names
// any of them matches a pool reporting another. Membership is exact, as in
// Cinder's host manager: "ISCSI" or "NVMe-TCP" have no variants.
var protocolVariants = [][]string{
	{"iSCSI", "iscsi"},
	{"FC", "fibre_channel", "fc"},
	{"NFS", "nfs"},
	{"NVMe-oF", "NVMeOF", "nvmeof"},
}

// protocolGroup is Cinder's get_storage_protocol_variants: the variant
// list protocol belongs to (shared, do not modify), or nil.
func protocolGroup(protocol string) []string {
	for _, group := range protocolVariants {
		for _, v := range group {
			if v == protocol {
				return group
			}
		}
	}
	return nil
}

// ProtocolVariants returns every spelling of protocol, the protocol itself
// first; a protocol without variants is returned alone.
func ProtocolVariants(protocol string) []string {
	group := protocolGroup(protocol)
	out := []string{protocol}
	for _, o := range group {
		if o != protocol {
			out = append(out, o)
		}
	}
	return out
}
