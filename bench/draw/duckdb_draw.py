#!/usr/bin/env python3
"""The national draw of `assess draw`, done independently in DuckDB SQL (the benchmark's
comparison side; docs/benchmarks.md).

    python3 bench/draw/duckdb_draw.py draw --plan PLAN --frame REGISTER.csv \
        --villages VILLAGES.csv --seed S --household-seed S2 --out SELECTION.csv
    python3 bench/draw/duckdb_draw.py compare SELECTION.csv DRAW_DIR/sample.csv

`draw` does the selection of docs/sampling.md in SQL and writes one row per drawn household:
household_id, village_code, stratum, role, reserve_rank, ticket. It shares no code with the
tool: only the plan file (read here with tomllib) and the CSV inputs.

  1. pass 1 over the register: households per village (the size measure `households`);
  2. village stage, per county and village stratum: rural units only (village-code digits
     10-12 in 200-399 or 600-799), the stratum from the village file's `remote` column,
     n_h by largest remainder of share x n (ties to the earlier stratum), lambda = n size /
     sum(size) capped iteratively (rounds of SQL updates until no new certainty; asserted),
     key = ticket / lambda, the n - certainties smallest keys (ties by village code);
  3. pass 2 over the register: tickets of the households of the sampled villages,
     row_number() per (village, status) by (ticket, household_id): primaries <= n_status,
     reserves the next `reserves`.

Tickets: sha256(seed 0x1F stage 0x1F county 0x1F stratum 0x1F unit), first 16 hex digits as
UBIGINT, (as DOUBLE + 0.5) / 2^64. Text is hashed as given: the synthetic register is ASCII,
so NFC normalisation (which the tool applies) is the identity; `draw` asserts the ASCII.

`compare` asserts that the two selections are identical (same household ids, roles, reserve
ranks, and bit-identical tickets) and prints the counts. Exit status 0 only when identical.
"""

import argparse
import csv
import sys
import time
import tomllib

import duckdb

STATUSES = ["exited", "poor", "non_registered"]
TWO64 = "18446744073709551616.0::DOUBLE"


def log(start, what):
    print(f"[duckdb_draw {time.perf_counter() - start:7.2f}s] {what}", file=sys.stderr, flush=True)


def largest_remainder(total, weights):
    """crates/sampling/src/plan.rs `largest_remainder`: ties go to the earlier part."""
    s = sum(weights)
    if not weights or s <= 0:
        return [0] * len(weights)
    exact = [total * w / s for w in weights]
    parts = [int(x // 1) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - (exact[i] // 1)), i))
    for i in order[: max(0, total - sum(parts))]:
        parts[i] += 1
    return parts


def read_plan(path):
    """The parts of the plan this script supports (those of the national plan), asserted."""
    with open(path, "rb") as f:
        plan = tomllib.load(f)
    v, h = plan["villages"], plan["households"]
    counties = plan["plan"]["counties"]
    assert counties == "all" or isinstance(counties, list), "counties: \"all\" or a list"
    assert v.get("measure", "households") == "households", "only measure = households"
    assert v.get("units", "rural") == "rural", "only units = rural"
    assert v.get("design", "stratified") == "stratified", "only stratified designs"
    assert not v.get("by_hand"), "villages chosen by hand are not supported"
    strata = v["strata"]
    shares = [s["share"] for s in strata if "share" in s]
    from_shares = iter(largest_remainder(v["n"], shares))
    groups = []
    for s in strata:
        assert not s.get("take_all"), "take-all strata are not supported"
        where = s.get("where", {})
        assert set(where) == {"remote"}, "only strata on `remote` are supported"
        n = next(from_shares) if "share" in s else s["n"]
        groups.append((s["name"], bool(where["remote"]), n))
    per = h["per_village"]
    takes = [per.get(st, 0) for st in STATUSES]
    assert all(isinstance(t, int) for t in takes), "take-all household strata are not supported"
    reserves = h.get("reserves", 0)
    reserves = [reserves.get(st, 0) for st in STATUSES] if isinstance(reserves, dict) else [reserves] * 3
    return (None if counties == "all" else counties), groups, takes, reserves


def sql_str(text):
    return "'" + text.replace("'", "''") + "'"


def ticket_sql(seed, stage, county, stratum, unit):
    """SQL expression of a ticket; county, stratum and unit are SQL expressions."""
    text = f"{sql_str(seed)} || chr(31) || '{stage}' || chr(31) || {county} || chr(31) || {stratum} || chr(31) || {unit}"
    return f"((('0x' || substr(sha256({text}), 1, 16))::UBIGINT)::DOUBLE + 0.5) / {TWO64}"


def read_register(path):
    """read_csv of the register with every column as text (only three are used: DuckDB
    pushes the projection into the reader)."""
    with open(path, newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    columns = ", ".join(f"{sql_str(c)}: 'VARCHAR'" for c in header)
    return f"read_csv({sql_str(path)}, header = true, columns = {{{columns}}})"


def draw(args):
    start = time.perf_counter()
    assert args.seed.isascii() and args.household_seed.isascii()
    counties, groups, takes, reserves = read_plan(args.plan)
    con = duckdb.connect()
    if args.threads:
        con.execute(f"SET threads = {int(args.threads)}")
    con.execute("SET preserve_insertion_order = false")
    register = read_register(args.frame)

    # Pass 1: households per village-level unit.
    con.execute(f"""
        CREATE TEMP TABLE unit_size AS
        SELECT village_code, count(*)::BIGINT AS size, bool_and(status IN ('exited', 'poor', 'non_registered')) AS ok_status,
               bool_and(household_id IS NOT NULL AND household_id <> '') AS ok_id
        FROM {register} GROUP BY village_code""")
    bad = con.execute("SELECT count(*) FROM unit_size WHERE NOT ok_status OR NOT ok_id").fetchone()[0]
    assert bad == 0, f"{bad} villages with an unknown status or an empty id"
    households = con.execute("SELECT sum(size) FROM unit_size").fetchone()[0]
    log(start, f"pass 1: {households:,} households in {con.execute('SELECT count(*) FROM unit_size').fetchone()[0]:,} units")

    # Village frame: rural units with their stratum from the village file.
    con.execute(f"""
        CREATE TEMP TABLE village_file AS
        SELECT village_code, remote FROM read_csv({sql_str(args.villages)}, header = true,
            columns = {{'village_code': 'VARCHAR', 'name': 'VARCHAR', 'poverty_village': 'BOOLEAN',
                        'remote': 'BOOLEAN', 'lon': 'VARCHAR', 'lat': 'VARCHAR'}})""")
    stratum_of = "CASE " + " ".join(f"WHEN f.remote = {str(r).lower()} THEN {sql_str(name)}" for name, r, _ in groups) + " END"
    n_of = "CASE stratum " + " ".join(f"WHEN {sql_str(name)} THEN {n}" for name, _, n in groups) + " END"
    county_filter = "" if counties is None else f" AND substr(u.village_code, 1, 6) IN ({', '.join(map(sql_str, counties))})"
    con.execute(f"""
        CREATE TEMP TABLE frame AS
        SELECT u.village_code, substr(u.village_code, 1, 6) AS county, {stratum_of} AS stratum, u.size,
               false AS certain, NULL::DOUBLE AS lam
        FROM unit_size u JOIN village_file f USING (village_code)
        WHERE (substr(u.village_code, 10, 3)::INTEGER BETWEEN 200 AND 399
               OR substr(u.village_code, 10, 3)::INTEGER BETWEEN 600 AND 799)
          AND u.size > 0{county_filter}""")
    con.execute(f"""
        CREATE TEMP TABLE frame_n AS
        SELECT county, stratum, ({n_of})::INTEGER AS n FROM frame GROUP BY county, stratum""")

    # Iterative capping: lambda = (n - certainties) size / sum(size of the non-certain);
    # any lambda >= 1 becomes a certainty; repeat until none is added.
    rounds = 0
    while True:
        rounds += 1
        assert rounds <= 100, "capping did not converge"
        con.execute("""
            CREATE OR REPLACE TEMP TABLE frame AS
            WITH g AS (
                SELECT f.county, f.stratum, any_value(n.n) - count(*) FILTER (WHERE f.certain) AS remaining,
                       (sum(f.size) FILTER (WHERE NOT f.certain))::DOUBLE AS total
                FROM frame f JOIN frame_n n USING (county, stratum) GROUP BY f.county, f.stratum)
            SELECT f.village_code, f.county, f.stratum, f.size, f.certain,
                   CASE WHEN f.certain THEN 1.0
                        WHEN g.total > 0 THEN greatest(g.remaining::DOUBLE * f.size::DOUBLE / g.total, 0.0)
                        ELSE 0.0 END AS lam
            FROM frame f JOIN g USING (county, stratum)""")
        added = con.execute("UPDATE frame SET certain = true WHERE NOT certain AND lam >= 1.0").fetchone()[0]
        if added == 0:
            break
    left = con.execute("SELECT count(*) FROM frame WHERE NOT certain AND lam >= 1.0").fetchone()[0]
    assert left == 0, "a lambda >= 1 is left after capping"

    village_ticket = ticket_sql(args.seed, "village", "f.county", "f.stratum", "f.village_code")
    con.execute(f"""
        CREATE TEMP TABLE sampled AS
        WITH keyed AS (
            SELECT f.*, {village_ticket} AS ticket FROM frame f),
        ranked AS (
            SELECT k.*, CASE WHEN NOT k.certain AND k.lam > 0 THEN
                       row_number() OVER (PARTITION BY k.county, k.stratum, (NOT k.certain AND k.lam > 0)
                                          ORDER BY k.ticket / k.lam, k.village_code) END AS key_rank,
                   count(*) FILTER (WHERE k.certain) OVER (PARTITION BY k.county, k.stratum) AS certainties
            FROM keyed k)
        SELECT r.village_code, r.county, r.stratum, r.certain, r.lam
        FROM ranked r JOIN frame_n n USING (county, stratum)
        WHERE r.certain OR r.key_rank <= n.n - r.certainties""")
    nv, ncert = con.execute("SELECT count(*), count(*) FILTER (WHERE certain) FROM sampled").fetchone()
    log(start, f"village stage: {nv:,} villages sampled ({ncert:,} with certainty), {rounds} capping rounds")

    # Pass 2: tickets of the households of the sampled villages, the smallest per cell.
    hh_ticket = ticket_sql(args.household_seed, "household", "substr(r.village_code, 1, 6)", "r.status", "r.household_id")
    take_of = "CASE status " + " ".join(f"WHEN '{s}' THEN {t}" for s, t in zip(STATUSES, takes)) + " END"
    res_of = "CASE status " + " ".join(f"WHEN '{s}' THEN {t}" for s, t in zip(STATUSES, reserves)) + " END"
    con.execute(f"""
        CREATE TEMP TABLE selection AS
        WITH t AS (
            SELECT r.household_id, r.village_code, r.status, {hh_ticket} AS ticket
            FROM {register} r SEMI JOIN sampled s ON r.village_code = s.village_code),
        ranked AS (
            SELECT *, row_number() OVER (PARTITION BY village_code, status ORDER BY ticket, household_id) AS k FROM t)
        SELECT household_id, village_code, status AS stratum,
               CASE WHEN k <= {take_of} THEN 'primary' ELSE 'reserve' END AS role,
               CASE WHEN k > {take_of} THEN k - {take_of} END AS reserve_rank, ticket,
               strlen(household_id) = length(household_id) AS ascii
        FROM ranked WHERE k <= {take_of} + {res_of}""")
    assert con.execute("SELECT bool_and(ascii) FROM selection").fetchone()[0] is not False, "non-ASCII household ids"
    con.execute(f"""COPY (SELECT household_id, village_code, stratum, role, reserve_rank, ticket FROM selection
                          ORDER BY village_code, stratum, role, reserve_rank NULLS FIRST, ticket)
                    TO {sql_str(args.out)} (HEADER, DELIMITER ',')""")
    counts = con.execute("""SELECT count(*) FILTER (WHERE role = 'primary'), count(*) FILTER (WHERE role = 'reserve'),
                                   count(DISTINCT village_code) FROM selection""").fetchone()
    log(start, f"household stage: {counts[0]:,} primaries, {counts[1]:,} reserves in {counts[2]:,} villages -> {args.out}")


def compare(args):
    con = duckdb.connect()

    def load(name, path):
        con.execute(f"""CREATE TEMP TABLE {name} AS SELECT household_id, role, reserve_rank::INTEGER AS reserve_rank, ticket::DOUBLE AS ticket
                        FROM read_csv({sql_str(path)}, header = true, all_varchar = true)""")
        return con.execute(f"""SELECT count(*), count(*) FILTER (WHERE role = 'primary'), count(*) FILTER (WHERE role = 'reserve'),
                                      count(DISTINCT household_id) FROM {name}""").fetchone()

    ours = load("ours", args.ours)
    theirs = load("theirs", args.duckdb)
    print(f"{'':10} {'rows':>10} {'primaries':>10} {'reserves':>10} {'distinct ids':>13}")
    for label, c in (("assess", ours), ("duckdb", theirs)):
        print(f"{label:10} {c[0]:>10,} {c[1]:>10,} {c[2]:>10,} {c[3]:>13,}")
    diff = con.execute("""
        SELECT coalesce(o.household_id, t.household_id) AS id, o.role, o.reserve_rank, o.ticket, t.role, t.reserve_rank, t.ticket
        FROM ours o FULL OUTER JOIN theirs t USING (household_id)
        WHERE o.household_id IS NULL OR t.household_id IS NULL OR o.role <> t.role
           OR o.reserve_rank IS DISTINCT FROM t.reserve_rank OR o.ticket <> t.ticket
        ORDER BY id LIMIT 20""").fetchall()
    ndiff = con.execute("""SELECT count(*) FROM ours o FULL OUTER JOIN theirs t USING (household_id)
        WHERE o.household_id IS NULL OR t.household_id IS NULL OR o.role <> t.role
           OR o.reserve_rank IS DISTINCT FROM t.reserve_rank OR o.ticket <> t.ticket""").fetchone()[0]
    ok = ndiff == 0 and ours == theirs and ours[0] == ours[3] and ours[0] > 0
    if not ok:
        print(f"DIFFERENT: {ndiff:,} households differ (id, role, reserve_rank, ticket: assess | duckdb), first ones:")
        for row in diff:
            print("  ", row)
        sys.exit(1)
    print(f"IDENTICAL: {ours[0]:,} households, same ids, roles, reserve ranks and tickets (bit for bit)")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("draw", help="the draw in DuckDB SQL")
    d.add_argument("--plan", required=True)
    d.add_argument("--frame", required=True)
    d.add_argument("--villages", required=True)
    d.add_argument("--seed", required=True)
    d.add_argument("--household-seed", required=True)
    d.add_argument("--out", required=True)
    d.add_argument("--threads", type=int, default=0, help="DuckDB threads (default: DuckDB's, one per core)")
    c = sub.add_parser("compare", help="assert that two selections are identical")
    c.add_argument("duckdb", help="the CSV written by `draw`")
    c.add_argument("ours", help="sample.csv of `assess draw`")
    args = p.parse_args()
    {"draw": draw, "compare": compare}[args.command](args)


if __name__ == "__main__":
    main()
