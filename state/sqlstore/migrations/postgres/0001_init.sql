-- 0001: the catalog, as in migrations/sqlite/0001_init.sql: the same
-- tables, columns and indexes, so that one set of queries serves both.
--
-- Types are chosen to round-trip exactly what the SQLite store stores:
--   - timestamps are TEXT in the fixed-width UTC form with nanoseconds
--     (2006-01-02T15:04:05.000000000Z); timestamptz would cut them to
--     microseconds and text keeps the order;
--   - maps, lists and driver stats are JSON TEXT, not jsonb, which would
--     reorder keys and reformat numbers in pool stats;
--   - integers are BIGINT, SQLite's INTEGER being 64-bit;
--   - id and address, which Read orders by, collate as "C": byte order,
--     as SQLite and Go compare, whatever the database's locale.
-- history.seq is an identity column: like SQLite's AUTOINCREMENT it is
-- never reused, and ALWAYS refuses a seq supplied by hand.

CREATE TABLE stacks (
    name       TEXT   NOT NULL PRIMARY KEY,
    lineage    TEXT   NOT NULL,
    serial     BIGINT NOT NULL DEFAULT 0,
    created_at TEXT   NOT NULL,
    updated_at TEXT   NOT NULL
);

CREATE TABLE pools (
    stack             TEXT NOT NULL REFERENCES stacks (name),
    id                TEXT COLLATE "C" NOT NULL,
    address           TEXT COLLATE "C" NOT NULL,
    backend           TEXT NOT NULL,
    name              TEXT NOT NULL,
    driver            TEXT NOT NULL,
    availability_zone TEXT NOT NULL,
    stats             TEXT,
    updated_at        TEXT NOT NULL,
    PRIMARY KEY (stack, id)
);
CREATE INDEX pools_address ON pools (stack, address, id);

CREATE TABLE qos (
    stack      TEXT NOT NULL REFERENCES stacks (name),
    id         TEXT COLLATE "C" NOT NULL,
    address    TEXT COLLATE "C" NOT NULL,
    name       TEXT NOT NULL,
    consumer   TEXT NOT NULL,
    specs      TEXT NOT NULL DEFAULT '{}',
    sensitive  TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (stack, id)
);
CREATE INDEX qos_address ON qos (stack, address, id);

CREATE TABLE volume_types (
    stack       TEXT NOT NULL REFERENCES stacks (name),
    id          TEXT COLLATE "C" NOT NULL,
    address     TEXT COLLATE "C" NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    extra_specs TEXT NOT NULL DEFAULT '{}',
    qos_id      TEXT NOT NULL,
    sensitive   TEXT NOT NULL DEFAULT '[]',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (stack, id)
);
CREATE INDEX volume_types_address ON volume_types (stack, address, id);

CREATE TABLE volumes (
    stack             TEXT   NOT NULL REFERENCES stacks (name),
    id                TEXT COLLATE "C" NOT NULL,
    address           TEXT COLLATE "C" NOT NULL,
    name              TEXT   NOT NULL,
    pool              TEXT   NOT NULL,
    size              BIGINT NOT NULL,
    status            TEXT   NOT NULL,
    status_reason     TEXT   NOT NULL,
    type_id           TEXT   NOT NULL,
    availability_zone TEXT   NOT NULL,
    source_kind       TEXT   NOT NULL,
    source_id         TEXT   NOT NULL,
    source_address    TEXT   NOT NULL DEFAULT '',
    description       TEXT   NOT NULL,
    metadata          TEXT   NOT NULL DEFAULT '{}',
    sensitive         TEXT   NOT NULL DEFAULT '[]',
    provider_location TEXT   NOT NULL,
    reverted_to       TEXT    NOT NULL DEFAULT '',
    created_at        TEXT   NOT NULL,
    updated_at        TEXT   NOT NULL,
    PRIMARY KEY (stack, id)
);
CREATE INDEX volumes_address ON volumes (stack, address, id);
-- Capacity and the VolumeNumber weigher count volumes per pool.
CREATE INDEX volumes_pool ON volumes (stack, pool);

CREATE TABLE snapshots (
    stack             TEXT   NOT NULL REFERENCES stacks (name),
    id                TEXT COLLATE "C" NOT NULL,
    address           TEXT COLLATE "C" NOT NULL,
    name              TEXT   NOT NULL,
    volume_id         TEXT   NOT NULL,
    pool              TEXT   NOT NULL,
    size              BIGINT NOT NULL,
    status            TEXT   NOT NULL,
    status_reason     TEXT   NOT NULL,
    description       TEXT   NOT NULL,
    metadata          TEXT   NOT NULL DEFAULT '{}',
    sensitive         TEXT   NOT NULL DEFAULT '[]',
    provider_location TEXT   NOT NULL,
    created_at        TEXT   NOT NULL,
    updated_at        TEXT   NOT NULL,
    PRIMARY KEY (stack, id)
);
CREATE INDEX snapshots_address ON snapshots (stack, address, id);
-- "Does this volume still have snapshots?" before a delete.
CREATE INDEX snapshots_volume ON snapshots (stack, volume_id);

-- A backup's data lives in its repository; the row keeps the chain
-- (parent_id) and where the manifest is.
CREATE TABLE backups (
    stack             TEXT    NOT NULL REFERENCES stacks (name),
    id                TEXT COLLATE "C" NOT NULL,
    address           TEXT COLLATE "C" NOT NULL,
    name              TEXT    NOT NULL,
    policy            TEXT    NOT NULL,
    volume_id         TEXT    NOT NULL,
    repository        TEXT    NOT NULL,
    repository_path   TEXT    NOT NULL,
    parent_id         TEXT    NOT NULL,
    incremental       BOOLEAN NOT NULL,
    size_bytes        BIGINT  NOT NULL,
    stored_bytes      BIGINT  NOT NULL,
    status            TEXT    NOT NULL,
    status_reason     TEXT    NOT NULL,
    description       TEXT    NOT NULL,
    manifest_location TEXT    NOT NULL,
    sensitive         TEXT    NOT NULL DEFAULT '[]',
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    PRIMARY KEY (stack, id)
);
CREATE INDEX backups_address ON backups (stack, address, id);
-- "Which backups chain to this one?" before a delete.
CREATE INDEX backups_parent ON backups (stack, parent_id);

CREATE TABLE history (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stack      TEXT   NOT NULL REFERENCES stacks (name),
    serial     BIGINT NOT NULL,
    kind       TEXT   NOT NULL,
    object_id  TEXT   NOT NULL,
    address    TEXT   NOT NULL,
    action     TEXT   NOT NULL,
    detail     TEXT   NOT NULL,
    who        TEXT   NOT NULL,
    created_at TEXT   NOT NULL
);
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
);
