-- Records uploaded through the field server (`assess serve`). Portable SQL (SQLite and
-- PostgreSQL).
--
-- record_uploads: every (client record id, content) pair the server acknowledged, so that a
-- retried upload is answered from here and never writes twice. A client generates one record id
-- per household record it edits (a UUID, say) and keeps it across edits.
--
-- record_conflicts: an upload that changed a household's record without having seen the
-- current version (its base is not the current content). The current version stays current;
-- the other version is kept here whole, never dropped, until a later upload that has seen both
-- (its base is the current content) resolves it.

CREATE TABLE record_uploads (
    record_id      TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    draw_id        TEXT NOT NULL,
    household_id   TEXT NOT NULL,
    outcome        TEXT NOT NULL,        -- accepted | conflict
    version        BIGINT,               -- the version stored (accepted), or NULL (conflict)
    account        TEXT NOT NULL,
    received_at    TEXT NOT NULL,        -- RFC 3339, UTC
    PRIMARY KEY (record_id, content_sha256)
);

CREATE INDEX record_uploads_household ON record_uploads (draw_id, household_id);

-- The household each client record id names, once: a record id keeps naming its household's
-- record across edits, and a retry is told from a reuse for another household by one lookup,
-- however many versions the record has.
CREATE TABLE record_ids (
    record_id    TEXT PRIMARY KEY,
    draw_id      TEXT NOT NULL,
    household_id TEXT NOT NULL
);

-- Whether a household already has a version with some content, and which version is current,
-- found without reading its history or its records (covering indexes: a record's JSON, kilobytes
-- long, sits before its hash in the row).
CREATE INDEX visits_content ON visits (draw_id, household_id, content_sha256, version);
CREATE INDEX visits_current_hash ON visits (draw_id, household_id, version, content_sha256) WHERE is_current;

CREATE TABLE record_conflicts (
    draw_id         TEXT NOT NULL,
    household_id    TEXT NOT NULL,
    content_sha256  TEXT NOT NULL,       -- the conflicting record's hash
    record_json     TEXT NOT NULL,       -- the conflicting record, canonical JSON
    base_sha256     TEXT,                -- the content its author had seen (NULL: none)
    current_version BIGINT NOT NULL,     -- the version that was current when it arrived
    record_id       TEXT NOT NULL,
    account         TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    resolved_by     BIGINT,              -- the version that resolved it, once resolved
    PRIMARY KEY (draw_id, household_id, content_sha256)
);
