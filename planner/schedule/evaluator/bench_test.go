package evaluator

import "testing"

// A goodness function of the usual shape: capacity ratios, a function
// call, a ternary.
const benchSrc = "volume.size > 100 ? 0 : max(0, min(100, capabilities.free_capacity_gb / capabilities.total_capacity_gb * 100 - stats.allocated_capacity_gb / 1000))"

func benchVars() Vars {
	return Vars{
		"volume":       {"size": 10},
		"capabilities": {"free_capacity_gb": 812.5, "total_capacity_gb": 1024.0},
		"stats":        {"allocated_capacity_gb": 4096.0},
	}
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse(benchSrc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEval(b *testing.B) {
	e, err := Parse(benchSrc)
	if err != nil {
		b.Fatal(err)
	}
	vars := benchVars()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Eval(vars); err != nil {
			b.Fatal(err)
		}
	}
}
