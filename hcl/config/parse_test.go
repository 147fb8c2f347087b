package config

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// bigSource repeats block, each followed by extra, until the file is cut
// into several pieces.
func bigSource(block func(i int) string, extra string) []byte {
	var b strings.Builder
	for i := 0; b.Len() < 8*pieceSize; i++ {
		b.WriteString(block(i))
		b.WriteString(extra)
	}
	return []byte(b.String())
}

// smallPieces makes the test files small and quick to parse.
func smallPieces(t *testing.T) {
	old := pieceSize
	pieceSize = 2 << 10
	t.Cleanup(func() { pieceSize = old })
}

func volumeBlock(i int) string {
	return fmt.Sprintf("volume \"v%d\" {\n  size = %d\n}\n", i, i%50+1)
}

// TestPiecewiseParsing checks that parsing a large file in pieces gives
// what a whole parse gives, also when a heredoc, a comment or a nested
// object holds lines that look like block boundaries.
func TestPiecewiseParsing(t *testing.T) {
	smallPieces(t)
	tests := []struct {
		name, extra string
		cut         string // a line inside extra that some piece must start at
		wantErr     bool
	}{
		{"plain blocks", "", "", false},
		{"a heredoc holding a closing brace and a block header",
			"volume \"doc\" {\n  size = 1\n  description = <<EOT\n}\nvolume \"fake\" {\nEOT\n}\n", `volume "fake"`, false},
		{"a comment holding a closing brace and a block header",
			"/*\n}\nvolume \"fake\" {\n*/\n", `volume "fake"`, false},
		{"an object closing at column one inside a block",
			"volume \"obj\" {\n  size = 1\n  metadata = {\n  a = \"b\"\n}\ndescription = \"x\"\n}\n", "description", false},
		{"a broken block", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := bigSource(volumeBlock, tt.extra)
			if tt.wantErr {
				src = append(src, "volume \"broken\" {\n  size = \n}\n"...)
			}
			pieces := splitPieces(0, src)
			if len(pieces) < 4 {
				t.Fatalf("the source was not split (%d pieces)", len(pieces))
			}
			if tt.cut != "" {
				cutInside := false
				for _, p := range pieces {
					cutInside = cutInside || strings.HasPrefix(string(src[p.start:]), tt.cut)
				}
				if !cutInside {
					t.Fatal("no piece starts inside the tricky text; the test proves nothing")
				}
			}
			files, diags := parseFiles([]string{"main.hcl"}, [][]byte{src})
			whole, wantDiags := hclsyntax.ParseConfig(src, "main.hcl", hcl.InitialPos)
			if diags.HasErrors() != tt.wantErr || wantDiags.HasErrors() != tt.wantErr {
				t.Fatalf("errors: pieces %v, whole %v", diags, wantDiags)
			}
			if tt.wantErr {
				check(t, "diagnostics", diags.Error(), wantDiags.Error())
				return
			}
			got, want := files[0].Body.(*hclsyntax.Body), whole.Body.(*hclsyntax.Body)
			if len(got.Blocks) != len(want.Blocks) {
				t.Fatalf("%d blocks, want %d", len(got.Blocks), len(want.Blocks))
			}
			for i := range want.Blocks {
				g, w := got.Blocks[i], want.Blocks[i]
				if !reflect.DeepEqual(g.Labels, w.Labels) || g.DefRange() != w.DefRange() || g.Body.SrcRange != w.Body.SrcRange {
					t.Fatalf("block %d: %v %v, want %v %v", i, g.Labels, g.DefRange(), w.Labels, w.DefRange())
				}
				for name, a := range w.Body.Attributes {
					if ga := g.Body.Attributes[name]; ga == nil || ga.SrcRange != a.SrcRange {
						t.Fatalf("block %d attribute %s differs", i, name)
					}
				}
			}
			check(t, "body range", got.SrcRange, want.SrcRange)
			check(t, "bytes", string(files[0].Bytes), string(src))
		})
	}
}

func TestLargeFilesLoadLikeSmallOnes(t *testing.T) {
	smallPieces(t)
	src := bigSource(volumeBlock, "")
	cfg, diags := LoadSources(".", map[string][]byte{"main.hcl": src}, LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	last := cfg.Volumes[len(cfg.Volumes)-1]
	lines := strings.Count(string(src), "\n")
	check(t, "last block line", last.DeclRange.Start.Line, lines-2)
	check(t, "last block byte", last.DeclRange.Start.Byte, strings.LastIndex(string(src), "volume"))
}

// TestParallelEvaluationIsDeterministic loads a configuration whose levels
// are large enough to be evaluated on several goroutines, with references
// between levels and errors in some blocks, and checks that every load
// gives the same result (run with -race to check the sharing too).
func TestParallelEvaluationIsDeterministic(t *testing.T) {
	var b strings.Builder
	b.WriteString("volume_type \"gold\" {}\n")
	for i := range 300 {
		size := fmt.Sprint(i%7 + 1)
		if i%50 == 7 {
			size = `"big"` // an error every fifty blocks
		}
		fmt.Fprintf(&b, "volume \"v%d\" {\n  size = %s\n  type = volume_type.gold\n}\n", i, size)
		fmt.Fprintf(&b, "snapshot \"s%d\" {\n  volume = volume.v%d\n}\n", i, i)
	}
	files := map[string][]byte{"main.hcl": []byte(b.String())}
	load := func() (string, string) {
		cfg, diags := LoadSources(".", files, LoadOptions{})
		var out strings.Builder
		for _, v := range cfg.Volumes {
			fmt.Fprintln(&out, v.Address, v.Size, v.DependsOn)
		}
		for _, s := range cfg.Snapshots {
			fmt.Fprintln(&out, s.Address, s.Volume, s.DependsOn)
		}
		return out.String(), diagsText(diags, cfg.Files)
	}
	wantCfg, wantDiags := load()
	if got := strings.Count(wantDiags, "Error:"); got != 6 {
		t.Fatalf("want 6 errors, got %d:\n%s", got, wantDiags)
	}
	if got := strings.Count(wantCfg, "snapshot."); got != 294 {
		t.Fatalf("want the 294 snapshots of valid volumes, got %d", got)
	}
	for range 5 {
		if gotCfg, gotDiags := load(); gotCfg != wantCfg || gotDiags != wantDiags {
			t.Fatal("two loads of the same files differ")
		}
	}
}
