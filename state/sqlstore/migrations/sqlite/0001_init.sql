-- 0001: the catalog. One row per stack, one table per object kind keyed by
-- (stack, id), an append-only history and one lock row per stack.
--
-- Timestamps are TEXT in a fixed-width UTC form with nanoseconds
-- (2006-01-02T15:04:05.000000000Z): it round-trips Go times exactly, sorts
-- as text, and reads the same on PostgreSQL, whose timestamptz would cut
-- nanoseconds to microseconds. Maps and driver stats are JSON text.
--
-- Tables are STRICT so that a value of the wrong type is an error, not a
-- silent conversion.

CREATE TABLE stacks (
    name       TEXT    NOT NULL PRIMARY KEY,
    lineage    TEXT    NOT NULL,
    serial     INTEGER NOT NULL DEFAULT 0,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
) STRICT;

CREATE TABLE pools (
    stack             TEXT NOT NULL REFERENCES stacks (name),
    id                TEXT NOT NULL,
    address           TEXT NOT NULL,
    backend           TEXT NOT NULL,
    name              TEXT NOT NULL,
    driver            TEXT NOT NULL,
    availability_zone TEXT NOT NULL,
    stats             TEXT,
    updated_at        TEXT NOT NULL,
    PRIMARY KEY (stack, id)
) STRICT;
CREATE INDEX pools_address ON pools (stack, address, id);

CREATE TABLE qos (
    stack      TEXT NOT NULL REFERENCES stacks (name),
    id         TEXT NOT NULL,
    address    TEXT NOT NULL,
    name       TEXT NOT NULL,
    consumer   TEXT NOT NULL,
    specs      TEXT NOT NULL DEFAULT '{}',
    sensitive  TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (stack, id)
) STRICT;
CREATE INDEX qos_address ON qos (stack, address, id);

CREATE TABLE volume_types (
    stack       TEXT NOT NULL REFERENCES stacks (name),
    id          TEXT NOT NULL,
    address     TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    extra_specs TEXT NOT NULL DEFAULT '{}',
    qos_id      TEXT NOT NULL,
    sensitive   TEXT NOT NULL DEFAULT '[]',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (stack, id)
) STRICT;
CREATE INDEX volume_types_address ON volume_types (stack, address, id);

CREATE TABLE volumes (
    stack             TEXT    NOT NULL REFERENCES stacks (name),
    id                TEXT    NOT NULL,
    address           TEXT    NOT NULL,
    name              TEXT    NOT NULL,
    pool              TEXT    NOT NULL,
    size              INTEGER NOT NULL,
    status            TEXT    NOT NULL,
    status_reason     TEXT    NOT NULL,
    type_id           TEXT    NOT NULL,
    availability_zone TEXT    NOT NULL,
    source_kind       TEXT    NOT NULL,
    source_id         TEXT    NOT NULL,
    source_address    TEXT    NOT NULL DEFAULT '',
    description       TEXT    NOT NULL,
    metadata          TEXT    NOT NULL DEFAULT '{}',
    sensitive         TEXT    NOT NULL DEFAULT '[]',
    provider_location TEXT    NOT NULL,
    reverted_to       TEXT    NOT NULL DEFAULT '',
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    PRIMARY KEY (stack, id)
) STRICT;
CREATE INDEX volumes_address ON volumes (stack, address, id);
-- Capacity and the VolumeNumber weigher count volumes per pool.
CREATE INDEX volumes_pool ON volumes (stack, pool);

CREATE TABLE snapshots (
    stack             TEXT    NOT NULL REFERENCES stacks (name),
    id                TEXT    NOT NULL,
    address           TEXT    NOT NULL,
    name              TEXT    NOT NULL,
    volume_id         TEXT    NOT NULL,
    pool              TEXT    NOT NULL,
    size              INTEGER NOT NULL,
    status            TEXT    NOT NULL,
    status_reason     TEXT    NOT NULL,
    description       TEXT    NOT NULL,
    metadata          TEXT    NOT NULL DEFAULT '{}',
    sensitive         TEXT    NOT NULL DEFAULT '[]',
    provider_location TEXT    NOT NULL,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    PRIMARY KEY (stack, id)
) STRICT;
CREATE INDEX snapshots_address ON snapshots (stack, address, id);
-- "Does this volume still have snapshots?" before a delete.
CREATE INDEX snapshots_volume ON snapshots (stack, volume_id);

-- A backup's data lives in its repository; the row keeps the chain
-- (parent_id) and where the manifest is.
CREATE TABLE backups (
    stack             TEXT    NOT NULL REFERENCES stacks (name),
    id                TEXT    NOT NULL,
    address           TEXT    NOT NULL,
    name              TEXT    NOT NULL,
    policy            TEXT    NOT NULL,
    volume_id         TEXT    NOT NULL,
    repository        TEXT    NOT NULL,
    repository_path   TEXT    NOT NULL,
    parent_id         TEXT    NOT NULL,
    incremental       INTEGER NOT NULL,
    size_bytes        INTEGER NOT NULL,
    stored_bytes      INTEGER NOT NULL,
    status            TEXT    NOT NULL,
    status_reason     TEXT    NOT NULL,
    description       TEXT    NOT NULL,
    manifest_location TEXT    NOT NULL,
    sensitive         TEXT    NOT NULL DEFAULT '[]',
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    PRIMARY KEY (stack, id)
) STRICT;
CREATE INDEX backups_address ON backups (stack, address, id);
-- "Which backups chain to this one?" before a delete.
CREATE INDEX backups_parent ON backups (stack, parent_id);

-- AUTOINCREMENT: seq is never reused, so it orders events for good.
CREATE TABLE history (
    seq        INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    stack      TEXT    NOT NULL REFERENCES stacks (name),
    serial     INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    object_id  TEXT    NOT NULL,
    address    TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    detail     TEXT    NOT NULL,
    who        TEXT    NOT NULL,
    created_at TEXT    NOT NULL
) STRICT;
CREATE INDEX history_stack ON history (stack, seq);

-- No reference to stacks: a lock may be taken before the stack's first write.
-- info is free text for the operator who finds the lock (slab version,
-- command line).
CREATE TABLE locks (
    stack      TEXT NOT NULL PRIMARY KEY,
    id         TEXT NOT NULL,
    who        TEXT NOT NULL,
    operation  TEXT NOT NULL,
    info       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
) STRICT;
