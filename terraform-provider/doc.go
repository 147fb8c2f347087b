// Command terraform-provider-slab is slab's Terraform / OpenTofu provider
// (plugin protocol 6). Terraform starts it; it is not run by hand.
//
// It owns nothing but serving: the resources and data sources live in
// terraform-provider/provider, which maps them onto planner, providers and
// state exactly as the CLI uses them.
package main
