package planner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/google/uuid"

	"github.com/slab-storage/slab/providers"
)

// planFileMagic starts every saved plan, so any other file is recognised
// as "not a plan" before it is parsed.
const planFileMagic = "slab-plan\n"

// Save writes the plan to path (mode 0600: plans name every volume).
func Save(path string, p *Plan) error {
	var buf bytes.Buffer
	buf.WriteString(planFileMagic)
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	if err := enc.Encode(p); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Load reads a saved plan, refusing anything that is not one this slab
// can apply.
func Load(path string) (*Plan, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	body, ok := bytes.CutPrefix(raw, []byte(planFileMagic))
	if !ok {
		return nil, fmt.Errorf("%s is not a saved slab plan (write one with slab plan -out %s)", path, path)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s is a damaged slab plan: %v; make a new one with slab plan -out", path, err)
	}
	if p.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("%s is a plan in format %d; this slab reads format %d", path, p.FormatVersion, FormatVersion)
	}
	if err := normalize(&p); err != nil {
		return nil, fmt.Errorf("%s is a damaged slab plan: %v", path, err)
	}
	return &p, nil
}

// normalize restores attribute types after JSON decoding.
func normalize(p *Plan) error {
	fix := func(kind string, a providers.Attrs) (providers.Attrs, error) {
		k, err := providers.KindOf(kind)
		if err != nil {
			return nil, err
		}
		return k.Schema().Normalize(a)
	}
	var err error
	for _, c := range p.Changes {
		if c.Before, err = fix(c.Kind, c.Before); err != nil {
			return fmt.Errorf("%s: %w", c.Address, err)
		}
		if c.After, err = fix(c.Kind, c.After); err != nil {
			return fmt.Errorf("%s: %w", c.Address, err)
		}
	}
	for _, d := range p.Drift {
		if d.Before, err = fix(d.Kind, d.Before); err != nil {
			return fmt.Errorf("%s: %w", d.Address, err)
		}
		if d.After, err = fix(d.Kind, d.After); err != nil {
			return fmt.Errorf("%s: %w", d.Address, err)
		}
	}
	return nil
}

func newID() string { return uuid.NewString() }
