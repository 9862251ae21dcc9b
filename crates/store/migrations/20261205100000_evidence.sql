-- Evidence files of review and appeal steps, kept in the database by content (SHA-256) as
-- photos are: a file is stored once however often it is given, and a step links to what it
-- names, so the evidence cannot be swapped later and can be read back. Steps recorded before
-- this migration keep their references in finding_steps.evidence_json only (name and
-- SHA-256, without the bytes). Portable SQL (SQLite and PostgreSQL; BYTEA as for photos).

CREATE TABLE evidence_files (
    sha256          TEXT PRIMARY KEY,        -- SHA-256 of the file's bytes, lowercase hex
    content         BYTEA NOT NULL,          -- the file's bytes, as received
    byte_count      BIGINT NOT NULL,
    first_file_name TEXT NOT NULL,           -- the name it was first given under
    stored_at       TEXT NOT NULL            -- RFC 3339, UTC
);

-- What each step names, in the order given: a stored evidence file or a stored photo.
CREATE TABLE finding_step_evidence (
    draw_id      TEXT NOT NULL,
    household_id TEXT NOT NULL,
    seq          BIGINT NOT NULL,            -- the step (finding_steps.seq)
    position     BIGINT NOT NULL,            -- 1, 2, ... in the order given
    file_sha256  TEXT REFERENCES evidence_files (sha256),
    photo_sha256 TEXT REFERENCES photos (sha256),
    file_name    TEXT,                       -- for a file: the name this step gave it under
    PRIMARY KEY (draw_id, household_id, seq, position),
    FOREIGN KEY (draw_id, household_id, seq) REFERENCES finding_steps (draw_id, household_id, seq),
    CHECK ((file_sha256 IS NULL) <> (photo_sha256 IS NULL))
);
