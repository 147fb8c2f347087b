package schedule

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/slab-storage/slab/drivers"
)

// The what-if formats read by `slab schedule` (see docs/schedule.md).

// InputError is bad what-if input; Field names where it is.
type InputError struct {
	Field string
	Err   error
}

func (e *InputError) Error() string { return e.Field + ": " + e.Err.Error() }

func inputErr(field string, format string, args ...any) error {
	return &InputError{Field: field, Err: fmt.Errorf(format, args...)}
}

// wirePool is one entry of POOLS.json: Cinder's get_volume_stats keys.
type wirePool struct {
	Name                     string            `json:"name"`
	AvailabilityZone         string            `json:"availability_zone"`
	TotalCapacityGB          *drivers.Capacity `json:"total_capacity_gb"`
	FreeCapacityGB           *drivers.Capacity `json:"free_capacity_gb"`
	ProvisionedCapacityGB    float64           `json:"provisioned_capacity_gb"`
	AllocatedCapacityGB      float64           `json:"allocated_capacity_gb"`
	ReservedPercentage       float64           `json:"reserved_percentage"`
	MaxOverSubscriptionRatio json.RawMessage   `json:"max_over_subscription_ratio"`
	ThinProvisioningSupport  bool              `json:"thin_provisioning_support"`
	ThickProvisioningSupport bool              `json:"thick_provisioning_support"`
	TotalVolumes             int               `json:"total_volumes"`
	Capabilities             map[string]any    `json:"capabilities"`
	FilterFunction           string            `json:"filter_function"`
	GoodnessFunction         string            `json:"goodness_function"`
	Volumes                  []string          `json:"volumes"`
	// Further stats keys Cinder drivers report.
	StorageProtocol     string `json:"storage_protocol"`
	VendorName          string `json:"vendor_name"`
	DriverVersion       string `json:"driver_version"`
	VolumeBackendName   string `json:"volume_backend_name"`
	OnlineExtendSupport *bool  `json:"online_extend_support"`
	Multiattach         bool   `json:"multiattach"`
}

// DecodePools reads POOLS.json: {"pools": [...]}. Unknown keys are
// refused, so a misspelt capacity is an error rather than a silent zero.
func DecodePools(data []byte) ([]*PoolState, error) {
	var doc struct {
		Pools []json.RawMessage `json:"pools"`
	}
	if err := strictDecode(data, &doc); err != nil {
		return nil, inputErr("pools file", "%v", err)
	}
	if doc.Pools == nil {
		return nil, inputErr("pools", `missing: the file must be {"pools": [ ... ]}`)
	}
	seen := map[string]bool{}
	out := make([]*PoolState, 0, len(doc.Pools))
	for i, raw := range doc.Pools {
		field := fmt.Sprintf("pools[%d]", i)
		var w wirePool
		if err := strictDecode(raw, &w); err != nil {
			return nil, inputErr(field, "%v", err)
		}
		ps, err := w.poolState(field)
		if err != nil {
			return nil, err
		}
		if seen[ps.Name] {
			return nil, inputErr(field+".name", "%q appears twice", ps.Name)
		}
		seen[ps.Name] = true
		out = append(out, ps)
	}
	return out, nil
}

func (w wirePool) poolState(field string) (*PoolState, error) {
	if w.Name == "" {
		return nil, inputErr(field+".name", `missing: name the pool "backend#pool"`)
	}
	if w.TotalCapacityGB == nil {
		return nil, inputErr(field+".total_capacity_gb", `missing: a number of GiB, "infinite" or "unknown"`)
	}
	if w.FreeCapacityGB == nil {
		return nil, inputErr(field+".free_capacity_gb", `missing: a number of GiB, "infinite" or "unknown"`)
	}
	if w.ReservedPercentage < 0 || w.ReservedPercentage > 100 || w.ReservedPercentage != float64(int(w.ReservedPercentage)) {
		return nil, inputErr(field+".reserved_percentage", "must be a whole number from 0 to 100, got %v", w.ReservedPercentage)
	}
	ratio, err := decodeRatio(w.MaxOverSubscriptionRatio)
	if err != nil {
		return nil, inputErr(field+".max_over_subscription_ratio", "%v", err)
	}
	backend, _, _ := strings.Cut(w.Name, "#")
	online := true // Cinder's default
	if w.OnlineExtendSupport != nil {
		online = *w.OnlineExtendSupport
	}
	pool := w.Name
	if _, p, ok := strings.Cut(w.Name, "#"); ok {
		pool = p
	}
	return &PoolState{
		Name: w.Name, Backend: backend, AvailabilityZone: w.AvailabilityZone, Volumes: w.Volumes,
		Stats: drivers.PoolStats{
			PoolName: pool, VolumeBackendName: w.VolumeBackendName, VendorName: w.VendorName,
			DriverVersion: w.DriverVersion, StorageProtocol: w.StorageProtocol,
			TotalCapacityGB: *w.TotalCapacityGB, FreeCapacityGB: *w.FreeCapacityGB,
			ProvisionedCapacityGB: w.ProvisionedCapacityGB, AllocatedCapacityGB: w.AllocatedCapacityGB,
			ReservedPercentage: int(w.ReservedPercentage), MaxOverSubscriptionRatio: ratio,
			ThinProvisioningSupport: w.ThinProvisioningSupport, ThickProvisioningSupport: w.ThickProvisioningSupport,
			OnlineExtendSupport: online, Multiattach: w.Multiattach, TotalVolumes: w.TotalVolumes,
			FilterFunction: w.FilterFunction, GoodnessFunction: w.GoodnessFunction, Capabilities: w.Capabilities,
		},
	}, nil
}

// decodeRatio accepts a number, a numeric string or "auto".
func decodeRatio(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err == nil {
		return strconv.FormatFloat(f, 'f', -1, 64), nil // JSON numbers are finite
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf(`must be a number, a numeric string or "auto", got %s`, raw)
	}
	if strings.EqualFold(s, "auto") {
		return "auto", nil
	}
	if v, err := strconv.ParseFloat(s, 64); err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return "", fmt.Errorf(`must be a finite number, a numeric string or "auto", got %q`, s)
	}
	return s, nil
}

// wireRequest is REQUEST.json.
type wireRequest struct {
	Size             *int              `json:"size"`
	OldSize          int               `json:"old_size"`
	AvailabilityZone string            `json:"availability_zone"`
	VolumeType       wireType          `json:"volume_type"`
	Metadata         map[string]string `json:"metadata"`
	Hints            struct {
		DifferentBackend []string `json:"different_backend"`
		SameBackend      []string `json:"same_backend"`
		Query            any      `json:"query"`
	} `json:"hints"`
	Filters  []string           `json:"filters"`
	Weighers map[string]float64 `json:"weighers"`
}

type wireType struct {
	Name       string            `json:"name"`
	ExtraSpecs map[string]string `json:"extra_specs"`
	QoSSpecs   map[string]string `json:"qos_specs"`
}

// DecodeRequest reads REQUEST.json into a request and the pipeline to run
// (null filters or weighers mean Cinder's defaults).
func DecodeRequest(data []byte) (Request, Spec, error) {
	var w wireRequest
	if err := strictDecode(data, &w); err != nil {
		return Request{}, Spec{}, inputErr("request file", "%v", err)
	}
	switch {
	case w.Size == nil:
		return Request{}, Spec{}, inputErr("size", "missing: the volume's size in GiB")
	case *w.Size < 1:
		return Request{}, Spec{}, inputErr("size", "must be at least 1 GiB, got %d", *w.Size)
	case w.OldSize < 0 || (w.OldSize > 0 && w.OldSize >= *w.Size):
		return Request{}, Spec{}, inputErr("old_size", "an extend needs 0 < old_size < size, got old_size %d and size %d", w.OldSize, *w.Size)
	}
	req := Request{
		SizeGiB: *w.Size, OldSizeGiB: w.OldSize, AvailabilityZone: w.AvailabilityZone,
		VolumeType: w.VolumeType.Name, ExtraSpecs: w.VolumeType.ExtraSpecs, QoSSpecs: w.VolumeType.QoSSpecs,
		Metadata: w.Metadata,
		Hints:    Hints{DifferentBackend: w.Hints.DifferentBackend, SameBackend: w.Hints.SameBackend, Query: w.Hints.Query},
	}
	spec := Spec{Filters: w.Filters, Weighers: w.Weighers}
	if _, err := New(spec); err != nil {
		field := "filters"
		if strings.Contains(err.Error(), "weigher") {
			field = "weighers"
		}
		return Request{}, Spec{}, inputErr(field, "%v", err)
	}
	return req, spec, nil
}

// strictDecode decodes one JSON value, refusing unknown keys and trailing
// data.
func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return fmt.Errorf("not valid JSON at byte %d: %v", syn.Offset, err)
		}
		return err
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}
