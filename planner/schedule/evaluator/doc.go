// Package evaluator is Cinder's filter/goodness expression language
// (cinder/scheduler/evaluator/evaluator.py): the language of a backend's
// filter_function and goodness_function, which the DriverFilter and the
// GoodnessWeigher evaluate for every request and pool.
//
// It owns parsing (Parse → *Expr, cached by the caller) and evaluation
// (Expr.Eval against Vars, the stats / capabilities / volume / extra / qos
// dictionaries). It does not know where those dictionaries come from;
// planner/schedule builds them.
//
// Behaviour is Cinder's, corner for corner, because operators port
// functions from Cinder and expect them to mean the same thing:
//
//   - The grammar is pyparsing's infix_notation as Cinder configures it,
//     reproduced as a memoised PEG parser (see parse.go for its quirks:
//     any word before an operand is a function call, 2^-3 does not parse,
//     NOT binds tighter than comparisons, chained AND/OR/?: read only
//     their first operands).
//   - Values are Python's: arbitrary-precision ints, floats, bools,
//     strings, lists (from commas) and complex numbers, with Python's
//     coercions, comparisons, truthiness and exceptions.
//   - Every operand goes through int(), then float(), then quote
//     stripping, as EvalConstant does: a variable holding 199.9 reads as
//     199, True as 1, "1.5" as 1.5; a bare word such as iSCSI is the
//     string "iSCSI"; a quoted '5' stays a string.
//
// Invariants:
//   - Parse and Eval never panic and always terminate, whatever the input
//     (FuzzParseEval checks it). Where Python would build an enormous
//     value or hang (9^9^9, 'a' * 10^12) evaluation returns an error
//     instead; where Python would hit its recursion limit (about 17
//     nested parentheses in Cinder) this package keeps going up to a much
//     deeper bound.
//   - A parsed *Expr is immutable and safe for concurrent Eval calls.
//   - Errors are *SyntaxError (Cinder's ParseException) or *EvalError
//     (any exception during evaluation); the message says why, for the
//     scheduler's explanations.
package evaluator
