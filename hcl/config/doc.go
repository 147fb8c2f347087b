// Package config loads a slab working directory — every *.hcl file in it —
// into a typed, validated Config.
//
// It owns the configuration language: the block types (slab, variable,
// locals, output, backend with its pools, qos, volume_type, volume,
// snapshot, backup_repository, backup, backup_policy), input variables and their precedence (default < SLAB_VAR_name
// < -var-file < -var), locals, the function table, count and for_each
// expansion into instances, references between blocks and the dependency
// graph they form, and every diagnostic about a configuration, with its
// human rendering (WriteDiagnostics) and the formatter (Format). It knows
// nothing of state, drivers or plans: driver names are checked only
// against LoadOptions.KnownDrivers.
//
// Invariants of a Config returned without errors:
//   - every block label and the stack name match [a-z0-9][a-z0-9_-]*;
//   - every instance has a unique address (`volume.db["a"]`, `volume.x[0]`,
//     `volume_type.gold`), and slices are in declaration order (file name,
//     position) then instance key;
//   - every reference-typed field (Volume.Type, VolumeType.QoS,
//     Snapshot.Volume, Volume.Source.Address) holds the address of an
//     existing instance of the right kind;
//   - Common.DependsOn lists, sorted and without duplicates, every
//     instance the block's expressions reference (directly or through
//     locals) plus depends_on; the graph is acyclic;
//   - Volume.RevertTo names an existing snapshot of that same volume; it is
//     read statically and is not a dependency (the snapshot depends on the
//     volume, so an edge would be a cycle);
//   - backup repositories have an absolute path, a known driver and
//     compression, and a chunk size that is a multiple of the 32 KiB hash
//     block; backup policies list at least one volume, keep ≥ 1 and an
//     interval of at least a minute;
//   - values are concrete: sizes are whole and ≥ 1, pool paths absolute,
//     maps of strings hold Cinder's string forms ("1000", "True"); only
//     scheduler hints may hold values known after apply.
//
// Evaluation happens once, at Load, in dependency order; each block only
// sees the locals and blocks it references, so loading stays linear in the
// size of the configuration. Large files are parsed in pieces on all CPUs
// (see parse.go). Attributes known only after apply (id, pool, status) are
// unknown at Load; EvalOutputs evaluates outputs again once they are known.
//
// In the evaluation context every block instance is an object with
// address, name, id (unknown until applied), its configured arguments
// (references as addresses, source as {kind, address}) and the
// attributes known after apply (volume: pool, status; snapshot: status,
// size); a block with count is a tuple of them, one with for_each an
// object keyed like the for_each value.
//
// DependsOn: references in count and for_each only decide which instances
// exist, so they order evaluation but do not make each instance depend on
// the whole collection; an instance of a for_each block depends on the
// instances inside its own each.value instead (for_each = volume.db makes
// snapshot.x["a"] depend on volume.db["a"] only). An index computed per
// instance (volume.db[each.key]) likewise names the one instance.
package config
