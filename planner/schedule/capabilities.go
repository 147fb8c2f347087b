package schedule

import "github.com/slab-storage/slab/drivers"

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
	st := &p.Stats
	// Values have the types a JSON round-trip of the stats would give
	// (numbers as float64), since capabilities usually come from JSON.
	caps := make(map[string]any, 20+len(st.Capabilities))
	caps["pool_name"] = st.PoolName
	caps["volume_backend_name"] = orDefault(st.VolumeBackendName, p.Backend)
	caps["vendor_name"] = reported(st.VendorName)
	caps["driver_version"] = reported(st.DriverVersion)
	caps["storage_protocol"] = reported(st.StorageProtocol)
	caps["total_capacity_gb"] = capacityValue(st.TotalCapacityGB)
	caps["free_capacity_gb"] = capacityValue(st.FreeCapacityGB)
	caps["provisioned_capacity_gb"] = st.ProvisionedCapacityGB
	caps["allocated_capacity_gb"] = st.AllocatedCapacityGB
	caps["reserved_percentage"] = float64(st.ReservedPercentage)
	caps["max_over_subscription_ratio"] = st.MaxOverSubscriptionRatio
	caps["thin_provisioning_support"] = st.ThinProvisioningSupport
	caps["thick_provisioning_support"] = st.ThickProvisioningSupport
	caps["online_extend_support"] = st.OnlineExtendSupport
	caps["multiattach"] = st.Multiattach
	caps["total_volumes"] = float64(st.TotalVolumes)
	if st.FilterFunction != "" {
		caps["filter_function"] = st.FilterFunction
	}
	if st.GoodnessFunction != "" {
		caps["goodness_function"] = st.GoodnessFunction
	}
	for k, v := range st.Capabilities {
		caps[k] = v
	}
	p.caps = caps
	return caps
}

// reported is nil for a stats string the driver left empty.
func reported(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// capacityValue is a capacity as JSON gives it: a number, or the string
// "infinite" / "unknown".
func capacityValue(c drivers.Capacity) any {
	if c.Finite() {
		return c.GiB
	}
	return c.String()
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
