package schedule

import (
	"fmt"
	"strings"
)

// DriverFilter is Cinder's DriverFilter: a pool that reports a
// filter_function passes only if the function is true for the request.
//
//   - No function passes.
//   - The result's Python truth decides: 5 and 'x' pass; 0, False and the
//     empty string fail (so does an empty list).
//   - A function that does not parse or raises fails the pool, with the
//     error as the reason (Cinder logs it and fails the backend).
//   - When the function mentions storage_protocol and the pool's protocol
//     has spelling variants (iSCSI/iscsi, FC/fibre_channel/fc, …), it is
//     evaluated once per variant and the pool passes if any passes.
type DriverFilter struct{}

func (DriverFilter) Name() string { return "DriverFilter" }

func (DriverFilter) Filter(p *PoolState, req *Request) (bool, string) {
	src, ok := poolFunction(p, "filter_function")
	if !ok {
		return true, ""
	}
	expr, err := parseExpr(src)
	if err != nil {
		return false, fmt.Sprintf("filter_function %q does not parse: %v", src, err)
	}
	variants := exprVariants(p, req, src, forDriverFilter)
	outcomes := make([]string, 0, len(variants))
	for _, v := range variants {
		res, err := expr.Eval(v.vars)
		outcome := ""
		switch {
		case err != nil:
			outcome = "failed: " + err.Error()
		case res.Truthy():
			return true, ""
		default:
			outcome = "is " + res.String()
		}
		if v.protocol != "" {
			outcome += " with storage_protocol " + v.protocol
		}
		outcomes = append(outcomes, outcome)
	}
	return false, fmt.Sprintf("filter_function %q %s", src, strings.Join(outcomes, "; "))
}
