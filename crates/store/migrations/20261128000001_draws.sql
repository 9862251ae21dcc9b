-- Draws imported from `assess draw` directories. Portable SQL: the same file runs on SQLite
-- and PostgreSQL (TEXT, BIGINT, DOUBLE PRECISION, BOOLEAN; no autoincrement).

CREATE TABLE draws (
    draw_id                   TEXT PRIMARY KEY,   -- the sample.csv SHA-256 from the manifest
    scheme_version            TEXT NOT NULL,
    plan_name                 TEXT NOT NULL,
    plan_sha256               TEXT NOT NULL,
    frame_fingerprint         TEXT NOT NULL,
    frame_households          BIGINT NOT NULL,
    villages_sha256           TEXT,
    division_vintage          TEXT NOT NULL,
    village_seed_commitment   TEXT NOT NULL,
    household_seed_commitment TEXT NOT NULL,
    sample_villages_sha256    TEXT NOT NULL,
    manifest_json             TEXT NOT NULL
);

CREATE TABLE sample_villages (
    draw_id         TEXT NOT NULL REFERENCES draws (draw_id),
    village_code    TEXT NOT NULL,
    county_code     TEXT NOT NULL,
    township_code   TEXT NOT NULL,
    village_stratum TEXT NOT NULL,
    selection       TEXT NOT NULL,
    certainty       BOOLEAN NOT NULL,
    pi_village      DOUBLE PRECISION,
    size            DOUBLE PRECISION NOT NULL,
    tickets         TEXT NOT NULL,
    PRIMARY KEY (draw_id, village_code)
);

CREATE TABLE sample_households (
    draw_id         TEXT NOT NULL,
    household_id    TEXT NOT NULL,
    county_code     TEXT NOT NULL,
    township_code   TEXT NOT NULL,
    village_code    TEXT NOT NULL,
    village_stratum TEXT NOT NULL,
    stratum         TEXT NOT NULL,
    role            TEXT NOT NULL,
    reserve_rank    BIGINT,
    ticket          DOUBLE PRECISION NOT NULL,
    pi_village      DOUBLE PRECISION,
    pi_household    DOUBLE PRECISION,
    pi              DOUBLE PRECISION,
    weight          DOUBLE PRECISION,
    certainty       BOOLEAN NOT NULL,
    selection       TEXT NOT NULL,
    members         BIGINT NOT NULL,
    PRIMARY KEY (draw_id, household_id),
    FOREIGN KEY (draw_id, village_code) REFERENCES sample_villages (draw_id, village_code)
);

CREATE INDEX sample_households_cell ON sample_households (draw_id, village_code, stratum, role, reserve_rank);
