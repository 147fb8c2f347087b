package config
import ("testing";"time";"github.com/hashicorp/hcl/v2";"github.com/hashicorp/hcl/v2/hclsyntax")
func TestTiming(t *testing.T){
	files := tenKBlocks()
	for i := 0; i < 5; i++ {
		t0 := time.Now()
		hclsyntax.ParseConfig(files["main.hcl"], "main.hcl", hcl.InitialPos)
		t1 := time.Now()
		LoadSources("/x", files, LoadOptions{})
		t2 := time.Now()
		t.Logf("parse %v load %v", t1.Sub(t0), t2.Sub(t1))
	}
}
