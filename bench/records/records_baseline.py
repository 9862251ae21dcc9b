#!/usr/bin/env python3
"""What a user would otherwise write to load visit records: the comparison side of
bench/records/run.sh. Loads JSON Lines visit records into the *same* `visits` table that
`assess init` creates (same primary key, the same partial unique index on the current
version, the same foreign key to sample_households), in one transaction.

    python3 bench/records/records_baseline.py sqlite DB.sqlite FILE.jsonl   # Python sqlite3, executemany
    python3 bench/records/records_baseline.py pg POSTGRES_URL FILE.jsonl     # psycopg 3, executemany
    python3 bench/records/records_baseline.py csv FILE.jsonl OUT.csv         # rows for `psql \\copy` (not timed)

What the sqlite / pg modes do per file (a fair but lighter version of `assess import-records`):
json.loads of every line; a record must be an object with draw_id, household_id and
disposition (no schema, no types, no rules: `assess` deserialises into typed records, refuses
unknown fields and validates times, GPS, interviewers, ...); canonical JSON
(json.dumps(sort_keys=True, compact)) and its SHA-256; then in one transaction: the draw's
sampled household ids (one SELECT; a record outside the sample is refused) and the current
versions' hashes (one SELECT); unchanged records are skipped, changed ones get
`is_current = false` on the old version and version + 1 (executemany), new ones version 1
(executemany); one COMMIT. It does not check the review state of changed records.

Prints "N new, M changed, K unchanged" and the seconds spent in parsing+hashing and in the
database on stderr.
"""
import csv
import hashlib
import json
import sys
import time
from datetime import datetime, timezone

COLS = ("draw_id, household_id, version, disposition, record_json, content_sha256, "
        "is_current, imported_at, source_file, stage")


def disposition_code(d):
    return d if isinstance(d, str) else next(iter(d))  # {"ineligible": reason} -> ineligible


def parse(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            r = json.loads(line)
            if not isinstance(r, dict) or not all(k in r for k in ("draw_id", "household_id", "disposition")):
                sys.exit(f"{path}, record {n}: not a visit record")
            canon = json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            out.append((r["draw_id"], r["household_id"], disposition_code(r["disposition"]), canon,
                        hashlib.sha256(canon.encode()).hexdigest()))
    return out


def plan(records, sampled, current, path, now):
    """Rows to insert and old versions to retire; refuses records outside the sample."""
    inserts, retire = [], []
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    for draw, hid, disp, canon, sha in records:
        if (draw, hid) not in sampled:
            sys.exit(f"{path}: household {hid} is not in the sample of draw {draw}")
        old = current.get((draw, hid))
        if old is None:
            version = 1
            counts["new"] += 1
        elif old[1] == sha:
            counts["unchanged"] += 1
            continue
        else:
            retire.append((draw, hid, old[0]))
            version = old[0] + 1
            counts["changed"] += 1
        inserts.append((draw, hid, version, disp, canon, sha, True, now, path, "field"))
    return inserts, retire, counts


def run(kind, target, path):
    t0 = time.perf_counter()
    records = parse(path)
    t1 = time.perf_counter()
    draws = sorted({r[0] for r in records})
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if kind == "sqlite":
        import sqlite3
        db = sqlite3.connect(target, isolation_level=None)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA busy_timeout = 10000")
        db.execute("BEGIN")
        q = lambda sql, args: db.execute(sql.replace("%s", "?"), args).fetchall()
        many = lambda sql, rows: db.executemany(sql.replace("%s", "?"), rows)
        commit = lambda: db.execute("COMMIT")
    else:
        import psycopg
        db = psycopg.connect(target)  # a transaction is open until commit()
        cur = db.cursor()
        q = lambda sql, args: cur.execute(sql, args).fetchall()
        many = lambda sql, rows: cur.executemany(sql, rows)
        commit = db.commit
    sampled, current = set(), {}
    for d in draws:
        sampled.update((d, h) for (h,) in q("SELECT household_id FROM sample_households WHERE draw_id = %s", (d,)))
        for h, v, s in q("SELECT household_id, version, content_sha256 FROM visits WHERE draw_id = %s AND is_current",
                         (d,)):
            current[(d, h)] = (v, s)
    inserts, retire, counts = plan(records, sampled, current, path, now)
    if retire:
        many("UPDATE visits SET is_current = %s WHERE draw_id = %s AND household_id = %s AND version = %s",
             [(False, *r) for r in retire])
    if inserts:
        many(f"INSERT INTO visits ({COLS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", inserts)
    commit()
    db.close()
    t2 = time.perf_counter()
    print(f"{counts['new']} new, {counts['changed']} changed (new version), {counts['unchanged']} unchanged")
    print(f"parse+hash {t1 - t0:.3f} s, database {t2 - t1:.3f} s", file=sys.stderr)


def to_csv(path, out):
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        for draw, hid, disp, canon, sha in parse(path):
            w.writerow((draw, hid, 1, disp, canon, sha, "true", now, path, "field"))


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("sqlite", "pg", "csv"):
        sys.exit(__doc__)
    kind, a, b = sys.argv[1:]
    if kind == "csv":
        to_csv(a, b)
    else:
        run(kind, a, b)


if __name__ == "__main__":
    main()
