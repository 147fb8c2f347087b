package planner

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkNoOpPlan10k measures Make (refresh and diff) over 10,000
// recorded volumes that all match the configuration.
func BenchmarkNoOpPlan10k(b *testing.B) {
	t := &testing.T{}
	var src strings.Builder
	src.WriteString(twoEqualPools)
	for i := range 10000 {
		fmt.Fprintf(&src, "volume \"v%05d\" {\n  size = 1\n}\n", i)
	}
	f := newFixture(t, src.String())
	f.t = t
	f.apply(f.mustPlan(Options{}))
	cfg := f.config()
	ctx := context.Background()
	pools := NewPoolSet(PoolSpecs(cfg))
	defer pools.Close()
	b.ResetTimer()
	for b.Loop() {
		rec, err := f.store.Read(ctx, "default")
		if err != nil {
			b.Fatal(err)
		}
		p, diags := Make(ctx, cfg, rec, pools, Options{Refresh: true})
		if diags.HasErrors() || p.HasChanges() {
			b.Fatalf("diags %v, changes %v", diags, p.HasChanges())
		}
	}
}
