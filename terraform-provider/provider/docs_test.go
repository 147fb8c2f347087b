package provider

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// The docs are written by hand (tfplugindocs needs a network to fetch a
// CLI); this keeps them complete: every resource, data source and
// attribute has its page and its line.
func TestDocsDescribeEveryResourceDataSourceAndAttribute(t *testing.T) {
	ctx := context.Background()
	p := New("test")().(*slabProvider)
	docs := filepath.Join("..", "docs")
	check := func(page string, attrs []string) {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(docs, page))
		if err != nil {
			t.Errorf("no page: %v", err)
			return
		}
		for _, a := range attrs {
			if !strings.Contains(string(b), "- `"+a+"` (") {
				t.Errorf("%s does not describe %s", page, a)
			}
		}
	}
	var ps provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &ps)
	check("index.md", keys(ps.Schema.Attributes))
	for _, f := range p.Resources(ctx) {
		r := f()
		var md resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "slab"}, &md)
		var sr resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &sr)
		names := keys(sr.Schema.Attributes)
		for _, a := range sr.Schema.Attributes {
			if n, ok := a.(rschema.SingleNestedAttribute); ok {
				names = append(names, keys(n.Attributes)...)
			}
		}
		check(filepath.Join("resources", strings.TrimPrefix(md.TypeName, "slab_")+".md"), names)
	}
	for _, f := range p.DataSources(ctx) {
		d := f()
		var md datasource.MetadataResponse
		d.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "slab"}, &md)
		var sr datasource.SchemaResponse
		d.Schema(ctx, datasource.SchemaRequest{}, &sr)
		names := keys(sr.Schema.Attributes)
		for _, a := range sr.Schema.Attributes {
			if n, ok := a.(dschema.ListNestedAttribute); ok {
				names = append(names, keys(n.NestedObject.Attributes)...)
			}
		}
		check(filepath.Join("data-sources", strings.TrimPrefix(md.TypeName, "slab_")+".md"), names)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
