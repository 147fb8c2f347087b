package schedule

import (
	"fmt"
	"math"

	"github.com/slab-storage/slab/planner/schedule/evaluator"
)

// GoodnessWeigher is Cinder's GoodnessWeigher: a pool's goodness_function
// rates it from 0 (a poor choice) to 100 (a perfect one).
//
//   - True is 100 and False 0; a number in 0..100 is itself.
//   - No function, a function that does not parse or raises, and a
//     number outside 0..100 all rate 0 (Cinder logs a warning).
//   - When the function mentions storage_protocol and the pool's protocol
//     has spelling variants, the best variant's rating counts.
//
// Weigh returns an error alongside the 0 whenever the function was there
// but gave no usable rating, saying why, so the explanation can show it.
// Cinder itself raises (and schedules nothing at all) when the result is
// not a number (a string, a list, a complex number) because it compares
// it with 0; slab rates such a pool 0 with that reason instead. A NaN,
// which Cinder would pass on as the weight, is also rated 0.
type GoodnessWeigher struct{ Mult float64 }

func (GoodnessWeigher) Name() string          { return "GoodnessWeigher" }
func (w GoodnessWeigher) Multiplier() float64 { return w.Mult }

func (GoodnessWeigher) Weigh(p *PoolState, req *Request) (float64, error) {
	src, ok := poolFunction(p, "goodness_function")
	if !ok {
		return 0, nil
	}
	expr, err := parseExpr(src)
	if err != nil {
		return 0, fmt.Errorf("goodness_function %q does not parse, rated 0: %w", src, err)
	}
	best, rated := 0.0, false
	var firstErr error
	for _, v := range exprVariants(p, req, src, forGoodnessWeigher) {
		r, err := goodnessRating(expr, v.vars)
		if err != nil {
			if firstErr == nil {
				if v.protocol != "" {
					err = fmt.Errorf("%w (storage_protocol %s)", err, v.protocol)
				}
				firstErr = fmt.Errorf("goodness_function %q rated 0: %w", src, err)
			}
			continue
		}
		if !rated || r > best {
			best, rated = r, true
		}
	}
	if !rated {
		return 0, firstErr
	}
	return best, nil
}

// goodnessRating is _check_goodness_function for one variant.
func goodnessRating(expr *evaluator.Expr, vars evaluator.Vars) (float64, error) {
	res, err := expr.Eval(vars)
	if err != nil {
		return 0, err
	}
	if t, ok := res.Bool(); ok {
		if t {
			return 100, nil
		}
		return 0, nil
	}
	switch res.Kind() {
	case evaluator.KindInt, evaluator.KindFloat:
	default:
		return 0, fmt.Errorf("the result %s is a %s, not a number (Cinder raises comparing it with 0)", res, res.Kind())
	}
	f, _ := res.Float64() // exact for every int in 0..100; a huge int is ±Inf, out of range
	switch {
	case math.IsNaN(f):
		return 0, fmt.Errorf("the result is NaN")
	case f < 0 || f > 100:
		return 0, fmt.Errorf("the result %s is outside 0..100", res)
	}
	return f, nil
}
