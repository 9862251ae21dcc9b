-- Review and appeal of findings. Every record version gets the stage that wrote it: `field`
-- (imported from the team), `review` (corrected at the night review) or `appeal` (corrected
-- by an overturned appeal), so that verdicts can be computed before appeals (the latest
-- field or review version) and after them (the current version). Each step of review or
-- appeal is kept with who, when, why and its evidence. Portable SQL (SQLite and PostgreSQL).

ALTER TABLE visits ADD COLUMN stage TEXT NOT NULL DEFAULT 'field';

CREATE TABLE finding_steps (
    draw_id        TEXT NOT NULL,
    household_id   TEXT NOT NULL,
    seq            BIGINT NOT NULL,      -- 1, 2, ... per (draw_id, household_id)
    step           TEXT NOT NULL,        -- review_upheld, review_corrected, sent_back, contested, appeal_upheld, appeal_overturned
    actor          TEXT NOT NULL,        -- who took the step
    acted_at       TEXT NOT NULL,        -- when, RFC 3339, as given
    reason         TEXT NOT NULL,        -- why
    evidence_json  TEXT NOT NULL,        -- JSON array of evidence references (photo SHA-256, file name and SHA-256)
    record_version BIGINT NOT NULL,      -- the household's current record version after the step
    recorded_at    TEXT NOT NULL,        -- when the store recorded it, RFC 3339 UTC
    PRIMARY KEY (draw_id, household_id, seq),
    FOREIGN KEY (draw_id, household_id) REFERENCES sample_households (draw_id, household_id)
);
