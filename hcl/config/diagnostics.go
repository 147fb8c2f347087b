package config

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// WriteDiagnostics writes the human view of diags: for each one a header
// `Error: FILE:LINE:COL: Summary`, the offending source line with a marker
// under the subject range, the detail and a blank line. The output has no
// colour and depends only on its inputs, so it can be golden-tested.
func WriteDiagnostics(w io.Writer, diags hcl.Diagnostics, files map[string]*hcl.File) {
	var b bytes.Buffer
	for _, d := range diags {
		sev := "Error"
		if d.Severity == hcl.DiagWarning {
			sev = "Warning"
		}
		if d.Subject == nil {
			fmt.Fprintf(&b, "%s: %s\n", sev, d.Summary)
		} else {
			s := d.Subject
			fmt.Fprintf(&b, "%s: %s:%d:%d: %s\n", sev, s.Filename, s.Start.Line, s.Start.Column, d.Summary)
			writeSnippet(&b, *s, files[s.Filename])
		}
		if detail := strings.TrimSpace(d.Detail); detail != "" {
			b.WriteString(detail)
			b.WriteByte('\n')
		}
		b.WriteByte('\n')
	}
	_, _ = w.Write(b.Bytes())
}

// writeSnippet prints the first line of rng with a gutter and a row of
// carets under the subject; nothing when the source is not available.
func writeSnippet(b *bytes.Buffer, rng hcl.Range, f *hcl.File) {
	if f == nil || rng.Start.Line < 1 {
		return
	}
	line, ok := sourceLine(f.Bytes, rng.Start.Line)
	if !ok {
		return
	}
	num := strconv.Itoa(rng.Start.Line)
	pad := strings.Repeat(" ", len(num))
	fmt.Fprintf(b, "  %s | %s\n", num, line)

	// Columns count characters; keep tabs so the carets line up.
	var marker strings.Builder
	col := 1
	rest := line
	for col < rng.Start.Column && rest != "" {
		r, size := utf8.DecodeRuneInString(rest)
		if r == '\t' {
			marker.WriteByte('\t')
		} else {
			marker.WriteByte(' ')
		}
		rest = rest[size:]
		col++
	}
	width := 1
	if rng.End.Line == rng.Start.Line && rng.End.Column > rng.Start.Column {
		width = rng.End.Column - rng.Start.Column
	} else if rng.End.Line > rng.Start.Line {
		width = utf8.RuneCountInString(strings.TrimRight(rest, " \t"))
	}
	width = max(width, 1)
	fmt.Fprintf(b, "  %s | %s%s\n", pad, marker.String(), strings.Repeat("^", width))
}

func sourceLine(src []byte, n int) (string, bool) {
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(src, '\n')
		if j < 0 {
			return "", false
		}
		src = src[j+1:]
	}
	if j := bytes.IndexByte(src, '\n'); j >= 0 {
		src = src[:j]
	}
	return strings.TrimRight(string(src), "\r"), true
}

// newDiag builds an error diagnostic with a subject range.
func newDiag(rng hcl.Range, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: rng.Ptr()}
}

// enrichDetail completes the details of hcl's own evaluation diagnostics
// that say what is wrong but not what to do.
func enrichDetail(d *hcl.Diagnostic) {
	switch d.Summary {
	case "Call to unknown function":
		if !strings.Contains(d.Detail, "Did you mean") {
			d.Detail += " The functions available are Terraform's built-in pure functions: " + strings.Join(mapKeys(functions()), ", ") + "."
		}
	case "Unsupported attribute":
		d.Detail += " Check the name: a block's object has address, name, id and its configured arguments, and a block with count or for_each must be indexed first, as in volume.db[\"a\"].size."
	}
}

// finishDiags removes repeats (one bad expression in a block with many
// instances fails once per instance) and sorts by position so that the
// first diagnostic is the first problem in the files. Diagnostics without a
// position come first: they are about the command line.
func finishDiags(diags hcl.Diagnostics) hcl.Diagnostics {
	seen := make(map[string]bool, len(diags))
	out := diags[:0:0]
	for _, d := range diags {
		key := fmt.Sprintf("%d\x00%s\x00%s", d.Severity, d.Summary, d.Detail)
		if d.Subject != nil {
			key += "\x00" + d.Subject.String()
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		enrichDetail(d)
		out = append(out, d)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Subject, out[j].Subject
		switch {
		case a == nil || b == nil:
			return a == nil && b != nil
		case a.Filename != b.Filename:
			return a.Filename < b.Filename
		case a.Start.Line != b.Start.Line:
			return a.Start.Line < b.Start.Line
		default:
			return a.Start.Column < b.Start.Column
		}
	})
	return out
}

// didYouMean returns ` Did you mean "x"?` for the closest option, or "".
func didYouMean(given string, options []string) string {
	if best := closest(given, options); best != "" {
		return fmt.Sprintf(" Did you mean %q?", best)
	}
	return ""
}

// closest is the option within two edits of given, or "".
func closest(given string, options []string) string {
	best, bestDist := "", 3
	for _, o := range options {
		if d := editDistance(given, o); d < bestDist {
			best, bestDist = o, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// quotedList renders names as `"a", "b" and "c"` for details.
func quotedList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	switch len(q) {
	case 0:
		return ""
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// pos renders a range start as FILE:LINE:COL for details.
func pos(r hcl.Range) string {
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}
