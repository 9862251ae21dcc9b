-- Housing-crack photos, content-addressed, and their links to sampled households.
-- Portable SQL (SQLite and PostgreSQL). The binary columns are declared BYTEA: PostgreSQL's
-- binary type; SQLite accepts any declared type and stores a bound blob unchanged (sqlx's
-- `Any` driver binds and reads `Vec<u8>` as a blob on both engines).

CREATE TABLE photos (
    sha256          TEXT PRIMARY KEY,        -- SHA-256 of the file's bytes, lowercase hex
    content         BYTEA NOT NULL,          -- the file's bytes, as received
    byte_count      BIGINT NOT NULL,
    format          TEXT NOT NULL,           -- jpeg or png
    width           BIGINT NOT NULL,
    height          BIGINT NOT NULL,
    taken_at        TEXT,                    -- EXIF DateTimeOriginal (camera local time, offset when recorded)
    gps_lon         DOUBLE PRECISION,        -- EXIF GPS, WGS-84
    gps_lat         DOUBLE PRECISION,
    exif_note       TEXT,                    -- EXIF present but unreadable
    thumbnail_jpeg  BYTEA NOT NULL,
    first_file_name TEXT NOT NULL,           -- the file name it was first added from
    stored_at       TEXT NOT NULL            -- RFC 3339, UTC
);

CREATE TABLE photo_links (
    draw_id           TEXT NOT NULL,
    household_id      TEXT NOT NULL,
    photo_sha256      TEXT NOT NULL REFERENCES photos (sha256),
    measurements_json TEXT,                  -- the inspector's measurement file, as given (canonical JSON)
    results_json      TEXT,                  -- computed lengths, widths, danger points, grade comparison
    flags_json        TEXT NOT NULL,         -- location and date flags at the time of adding
    added_at          TEXT NOT NULL,         -- RFC 3339, UTC
    PRIMARY KEY (draw_id, household_id, photo_sha256),
    FOREIGN KEY (draw_id, household_id) REFERENCES sample_households (draw_id, household_id)
);
