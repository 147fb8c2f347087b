package config

import (
	"bytes"
	"runtime"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// pieceSize is the size of the pieces a large file is cut into. hclsyntax
// keeps all of a file's tokens in one slice, and growing it dominates the
// parse of a large file: a 1 MB file parses about 1.5 times as fast in
// 128 KB pieces on two CPUs.
var pieceSize = 128 << 10 // a variable so tests can cut small files

// piece is a run of whole top-level blocks of one file.
type piece struct {
	file       int
	start, end int // byte offsets in the file
	line       int // line number of start
	f          *hcl.File
	diags      hcl.Diagnostics
}

// parseFiles parses every file, large ones in pieces, on all CPUs.
//
// A piece boundary is the start of a line that begins with a letter and
// follows a line holding only "}". If every piece of a file parses
// without error, the lexer was in its normal state at each boundary (a
// piece cut inside a heredoc, a comment, a string or brackets reports an
// unterminated construct), so the pieces' blocks are exactly the file's.
// Otherwise the file is parsed again whole, for exact diagnostics.
func parseFiles(names []string, srcs [][]byte) ([]*hcl.File, hcl.Diagnostics) {
	var pieces []*piece
	for i, src := range srcs {
		pieces = append(pieces, splitPieces(i, src)...)
	}
	workers := min(runtime.GOMAXPROCS(0), len(pieces))
	var wg sync.WaitGroup
	next := make(chan *piece)
	for range workers {
		wg.Go(func() {
			for p := range next {
				src := srcs[p.file][p.start:p.end]
				start := hcl.Pos{Line: p.line, Column: 1, Byte: p.start}
				f, d := hclsyntax.ParseConfig(src, names[p.file], start)
				p.f, p.diags = f, d
			}
		})
	}
	for _, p := range pieces {
		next <- p
	}
	close(next)
	wg.Wait()

	files := make([]*hcl.File, len(srcs))
	var diags hcl.Diagnostics
	for i := 0; i < len(pieces); {
		j := i
		for j < len(pieces) && pieces[j].file == pieces[i].file {
			j++
		}
		f, d := joinPieces(names[pieces[i].file], srcs[pieces[i].file], pieces[i:j])
		files[pieces[i].file] = f
		diags = append(diags, d...)
		i = j
	}
	return files, diags
}

// splitPieces cuts src into pieces of about pieceSize at block boundaries.
func splitPieces(file int, src []byte) []*piece {
	n := len(src) / pieceSize
	out := []*piece{{file: file, start: 0, line: 1}}
	if n > 1 {
		target := len(src) / n
		lineStart, line := 0, 1
		for lineStart < len(src) && len(out) < n {
			nl := bytes.IndexByte(src[lineStart:], '\n')
			if nl < 0 {
				break
			}
			lineEnd, next := lineStart+nl, lineStart+nl+1
			line++ // the line number of next
			if next-out[len(out)-1].start >= target && next < len(src) && isLetter(src[next]) &&
				bytes.Equal(bytes.TrimRight(src[lineStart:lineEnd], " \t\r"), []byte("}")) {
				out[len(out)-1].end = next
				out = append(out, &piece{file: file, start: next, line: line})
			}
			lineStart = next
		}
	}
	out[len(out)-1].end = len(src)
	return out
}

func isLetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// joinPieces assembles one file's body from its pieces, or parses it
// whole when a piece failed or has top-level arguments (their duplicate
// check spans the file).
func joinPieces(name string, src []byte, ps []*piece) (*hcl.File, hcl.Diagnostics) {
	if len(ps) == 1 {
		return ps[0].f, ps[0].diags
	}
	whole := func() (*hcl.File, hcl.Diagnostics) {
		return hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	}
	body := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}}
	for _, p := range ps {
		pb := p.f.Body.(*hclsyntax.Body)
		if p.diags.HasErrors() || len(pb.Attributes) > 0 {
			return whole()
		}
		body.Blocks = append(body.Blocks, pb.Blocks...)
	}
	first, last := ps[0].f.Body.(*hclsyntax.Body), ps[len(ps)-1].f.Body.(*hclsyntax.Body)
	body.SrcRange = hcl.RangeBetween(first.SrcRange, last.SrcRange)
	body.EndRange = last.EndRange
	var diags hcl.Diagnostics
	for _, p := range ps {
		diags = append(diags, p.diags...) // warnings only
	}
	return &hcl.File{Body: body, Bytes: src}, diags
}
