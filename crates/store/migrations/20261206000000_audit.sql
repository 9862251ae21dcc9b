-- The hash-chained audit log (docs/audit.md). Every write transaction of the store appends
-- its entries here in the same transaction: the object written (kind and key in `action` and
-- `object_key`), its content hash, the previous entry's hash and this entry's hash. Rows are
-- only ever inserted. Portable SQL (SQLite and PostgreSQL).

CREATE TABLE audit_log (
    sequence       BIGINT PRIMARY KEY,   -- 1, 2, ... with no gap
    logged_at      TEXT NOT NULL,        -- RFC 3339, UTC
    actor          TEXT NOT NULL,        -- who wrote: an account, or cli:USER
    action         TEXT NOT NULL,        -- KIND.VERB: draw.import, record.version, photo.store, ...
    object_key     TEXT NOT NULL,        -- the object's key within its kind
    content_sha256 TEXT NOT NULL,        -- the object's content hash as written
    prev_hash      TEXT NOT NULL,        -- the previous entry's entry_hash (64 zeros for the first)
    entry_hash     TEXT NOT NULL         -- SHA-256 of the entry's canonical fields
);

-- The objects a database held when its log began are logged once, by baseline entries
-- (`draw.baseline`, `record.baseline`, ...), written by the store right after this migration
-- (SQL alone cannot hash them); this row says that is still to be done, so a crash in between
-- only postpones it, and a log emptied later is never baselined again.
CREATE TABLE audit_state (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO audit_state (name, value) VALUES ('baseline', 'pending');
