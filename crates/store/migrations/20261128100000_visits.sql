-- Visit records imported from JSON / JSON Lines. Portable SQL (SQLite and PostgreSQL).
-- Every change to a household's record adds a version; earlier versions are kept, and exactly
-- one version per household is current. A record must belong to a household of the draw.

CREATE TABLE visits (
    draw_id        TEXT NOT NULL,
    household_id   TEXT NOT NULL,
    version        BIGINT NOT NULL,      -- 1, 2, ... per (draw_id, household_id)
    disposition    TEXT NOT NULL,        -- complete, partial, refused, non_contact, ineligible, relocated, eligibility_unknown
    record_json    TEXT NOT NULL,        -- the whole record, canonical JSON
    content_sha256 TEXT NOT NULL,        -- SHA-256 of record_json
    is_current     BOOLEAN NOT NULL,
    imported_at    TEXT NOT NULL,        -- RFC 3339, UTC
    source_file    TEXT NOT NULL,
    PRIMARY KEY (draw_id, household_id, version),
    FOREIGN KEY (draw_id, household_id) REFERENCES sample_households (draw_id, household_id)
);

CREATE UNIQUE INDEX visits_one_current ON visits (draw_id, household_id) WHERE is_current;
