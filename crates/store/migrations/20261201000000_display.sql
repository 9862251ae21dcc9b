-- The register's display columns (docs/register.md, "Display columns") as sample.csv carries
-- them: what a team needs to find a household. NULL when the register had none. Not used by
-- any check or verdict; the template shows them. Portable SQL (SQLite and PostgreSQL).
-- `villager_group`: GROUP is an SQL keyword.

ALTER TABLE sample_households ADD COLUMN head_name TEXT;
ALTER TABLE sample_households ADD COLUMN villager_group TEXT;
ALTER TABLE sample_households ADD COLUMN address TEXT;
ALTER TABLE sample_households ADD COLUMN phone TEXT;
