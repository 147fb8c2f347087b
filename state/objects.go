package state

import "time"

// SensitiveAttrs returns the names of an object's attributes whose values
// came from sensitive variables.
func SensitiveAttrs(o Object) []string {
	switch x := o.(type) {
	case *Volume:
		return x.Sensitive
	case *Snapshot:
		return x.Sensitive
	case *Backup:
		return x.Sensitive
	case *VolumeType:
		return x.Sensitive
	case *QoS:
		return x.Sensitive
	}
	return nil
}

// NameOf returns an object's block label.
func NameOf(o Object) string {
	switch x := o.(type) {
	case *Volume:
		return x.Name
	case *Snapshot:
		return x.Name
	case *Backup:
		return x.Name
	case *VolumeType:
		return x.Name
	case *QoS:
		return x.Name
	case *Pool:
		return x.Name
	}
	return ""
}

// CreatedAt returns when an object was first recorded (zero for pools).
func CreatedAt(o Object) time.Time {
	switch x := o.(type) {
	case *Volume:
		return x.CreatedAt
	case *Snapshot:
		return x.CreatedAt
	case *Backup:
		return x.CreatedAt
	case *VolumeType:
		return x.CreatedAt
	case *QoS:
		return x.CreatedAt
	}
	return time.Time{}
}

// Clone returns a shallow copy, so that editing a step's copy never
// changes the record it came from. Maps and slices are shared: callers
// replace them rather than mutate them.
func Clone(o Object) Object {
	switch x := o.(type) {
	case *Volume:
		c := *x
		return &c
	case *Snapshot:
		c := *x
		return &c
	case *Backup:
		c := *x
		return &c
	case *VolumeType:
		c := *x
		return &c
	case *QoS:
		c := *x
		return &c
	case *Pool:
		c := *x
		return &c
	}
	return o
}

// AddressIndex maps every recorded object's ID to its config address.
func (s *State) AddressIndex() func(id string) string {
	idx := make(map[string]string, len(s.Volumes)+len(s.Snapshots)+len(s.VolumeTypes)+len(s.QoS))
	for _, o := range s.Objects() {
		idx[o.ObjectID()] = o.ObjectAddress()
	}
	return func(id string) string { return idx[id] }
}
