-- Facts the checks need beside the sealed draw files: when the draw was made (from the draw's
-- receipt.json, not part of the sealed manifest, so that a draw stays byte-identical when
-- re-made) and each sampled village's centre from the village file the draw used (checked
-- against the manifest's villages_sha256). Portable SQL (SQLite and PostgreSQL).

ALTER TABLE draws ADD COLUMN drawn_at TEXT;
ALTER TABLE sample_villages ADD COLUMN lon DOUBLE PRECISION;
ALTER TABLE sample_villages ADD COLUMN lat DOUBLE PRECISION;
