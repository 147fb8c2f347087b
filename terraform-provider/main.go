package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/slab-storage/slab/terraform-provider/provider"
)

var version = "0.1.0-dev"

func main() {
	debug := flag.Bool("debug", false, "run with support for debuggers (prints TF_REATTACH_PROVIDERS)")
	flag.Parse()
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.opentofu.org/slab-storage/slab",
		Debug:   *debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
