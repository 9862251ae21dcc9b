-- Accounts of the field server, their API tokens (kept only as SHA-256 hashes: the token
-- itself is shown once when made and stored nowhere), and the assignments their scopes come
-- from: counties to teams (from `assess assign`'s CSV) and sampled villages to interviewers.
-- Nothing is deleted: an account or token is revoked by setting revoked_at. Portable SQL
-- (SQLite and PostgreSQL).

CREATE TABLE accounts (
    name        TEXT PRIMARY KEY,       -- unique for ever: a revoked name is not given again
    role        TEXT NOT NULL,          -- interviewer, team_leader, cross_assessor, coordinator, admin
    team        TEXT,                   -- interviewers, team leaders and cross-assessors
    province    TEXT,                   -- a cross-assessor's own province (two digits)
    created_at  TEXT NOT NULL,          -- RFC 3339 UTC
    revoked_at  TEXT                    -- RFC 3339 UTC, or NULL while active
);

CREATE TABLE api_tokens (
    token_sha256 TEXT PRIMARY KEY,      -- hex SHA-256 of the whole token text
    account      TEXT NOT NULL REFERENCES accounts (name),
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
);

CREATE INDEX api_tokens_account ON api_tokens (account);

CREATE TABLE team_counties (
    team         TEXT NOT NULL,
    county_code  TEXT NOT NULL,
    assigned_at  TEXT NOT NULL,
    PRIMARY KEY (team, county_code)
);

CREATE TABLE interviewer_villages (
    account      TEXT NOT NULL REFERENCES accounts (name),
    draw_id      TEXT NOT NULL,
    village_code TEXT NOT NULL,
    assigned_at  TEXT NOT NULL,
    PRIMARY KEY (account, draw_id, village_code),
    FOREIGN KEY (draw_id, village_code) REFERENCES sample_villages (draw_id, village_code)
);
