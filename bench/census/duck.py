"""DuckDB's side of the census benchmarks (bench/census/run.sh and national.sh):

    duck.py convert CSV PARQUET THREADS        # the CSV to one Parquet file, validating nothing
    duck.py coverage STORE OUT THREADS         # what `assess census coverage` writes
    duck.py tables STORE OUT THREADS           # the numbers of `assess census tables`
    duck.py coverage-by-county STORE THREADS   # the bare anti-join, by county only
    duck.py tables-by-county STORE THREADS     # counts, attainment, quantiles by county only
    duck.py compare ASSESS_TABLES DUCK_OUT     # the same numbers? (exit 1 if not)

`coverage` and `tables` compute what `assess census coverage` and `tables` compute, from the
census store's own Parquet partitions (docs/census.md, "Coverage" and "Tables"): coverage by
village, township, county, province and nation, with every county's follow-up list of the
missing (CSV only: DuckDB writes no XLSX without an extension); the tables add, for every
county, province and the nation, the counted households' attainment, income quantiles and
assistance. `compare` checks that DuckDB's numbers are ours, every unit and every count: an
independent reference for the tables as well as a fair race. The `-by-county` queries are the
bare minimum (5 columns, counties only), kept as a lower bound.

Each prints its seconds (the queries alone, without starting python and importing duckdb)."""
import csv
import json
import math
import os
import sys
import time

import duckdb

RETURNS = "read_parquet('{store}/returns/**/*.parquet', hive_partitioning=true)"
REGISTER = "read_parquet('{store}/register/**/*.parquet', hive_partitioning=true)"

# The attainment items, the amounts and the yes/no kinds of assistance, in the order of the
# tables (assess_census_tables::ITEMS and KINDS).
ITEMS = ["income_ok", "food_clothing", "education", "medical", "housing", "water", "guarantees"]
KINDS = [
    ("industrial_support_yuan", True), ("employment_support", False),
    ("public_welfare_post", False), ("relocated", False), ("housing_renovation_yuan", True),
    ("education_aid_yuan", True), ("medical_aid_yuan", True),
    ("minimum_living_allowance_yuan", True), ("extreme_poverty_support", False),
    ("microcredit", False),
]
COVERAGE = ["registered", "enumerated", "dissolved", "moved_out", "missing", "duplicated",
            "extra_returns", "not_registered", "returns"]

# Units: (level, code expression) for each grouping set, finest first.
LEVEL = """case when grouping(village) = 0 then 'village'
                when grouping(township) = 0 then 'township'
                when grouping(county_code) = 0 then 'county'
                when grouping(province) = 0 then 'province' else 'national' end"""
CODE = "coalesce(village, township, county_code, province, '')"

# Coverage at every level, written as coverage.csv (what the tables write too).
COVERAGE_COUNTS = [
    # The census population: registered households, each in its register village.
    """create temp table reg as select county_code, village_code, household_id, status, members,
           township_code from {register} where status in ('exited', 'poor')""",
    # Each household's returns: how many, which outcomes, the village of its first return.
    """create temp table hh as select county_code, household_id, count(*) n,
           bool_or(outcome = 'enumerated') e, bool_or(outcome = 'dissolved') d,
           arg_min(village_code, return_id) first_village
       from {returns} group by all""",
    # One row per household of the county (registered or with a return), then every level.
    """create temp table units as
       with households as (
           select reg.county_code, reg.village_code village, 1 registered,
                  coalesce(e, false) enumerated, n is not null and not e and d dissolved,
                  n is not null and not e and not d moved_out, n is null missing,
                  0 not_registered, coalesce(n, 0) n
           from reg left join hh using (county_code, household_id)
           union all
           select county_code, first_village, 0, false, false, false, false, 1, n
           from hh anti join reg using (county_code, household_id))
       select """ + LEVEL + " level, " + CODE + """ code, count(*) filter (registered = 1) registered,
              count_if(enumerated) enumerated, count_if(dissolved) dissolved,
              count_if(moved_out) moved_out, count_if(missing) missing,
              count_if(n > 1) duplicated, coalesce(sum(n - 1) filter (n > 1), 0) extra_returns,
              sum(not_registered) not_registered, sum(n) returns
       from (select *, substr(village, 1, 9) township, substr(county_code, 1, 2) province
             from households)
       group by grouping sets ((), (province), (province, county_code),
                               (province, county_code, township),
                               (province, county_code, township, village))""",
    # A county of the register whose households are none of them registered (all
    # `non_registered`) and that has no return is still a county of the tables, with zeros.
    """insert into units by name
       select 'county' level, county_code code, 0 registered, 0 enumerated, 0 dissolved,
              0 moved_out, 0 missing, 0 duplicated, 0 extra_returns, 0 not_registered,
              0 returns
       from (select distinct county_code from {register})
       where county_code not in (select code from units where level = 'county')""",
    "copy (select * from units order by level, code) to '{out}/coverage.csv'",
]

COVERAGE_STEPS = COVERAGE_COUNTS + [
    # The follow-up lists: one CSV per county, in village and household order.
    """copy (select county_code, household_id, village_code, township_code, status, members
             from reg anti join hh using (county_code, household_id)
             order by county_code, village_code, household_id)
       to '{out}/missing' (format csv, partition_by (county_code), overwrite_or_ignore)""",
]


def tally(c):
    return f"count_if({c}) {c}_met, count_if(not {c}) {c}_unmet, count_if({c} is null) {c}_unknown"


def received(c, amount):
    if amount:
        return (f"count_if({c} > 0) {c}_r, count_if({c} = 0) {c}_n, count_if({c} is null) {c}_u,"
                f" coalesce(sum(round({c} * 100)), 0)::hugeint {c}_fen")
    return f"count_if({c}) {c}_r, count_if(not {c}) {c}_n, count_if({c} is null) {c}_u, 0 {c}_fen"


TABLES_STEPS = COVERAGE_COUNTS + [
    # The counted return of a registered household: its first enumerated one by start time.
    """copy (with counted as (
               select * from {returns} semi join reg using (county_code, household_id)
               where outcome = 'enumerated'
               qualify row_number() over (partition by county_code, household_id
                                          order by start_unix, return_id) = 1),
             levels as (
               select case when grouping(county_code) = 0 then 'county'
                           when grouping(province) = 0 then 'province' else 'national' end level,
                      coalesce(county_code, province, '') code, count(*) households, """
    + ", ".join([tally(c) for c in ITEMS] + [received(c, a) for c, a in KINDS]) + """,
                      count(income_per_person) known,
                      count(*) - count(income_per_person) unknown,
                      avg(income_per_person) mean,
                      quantile_cont(income_per_person, [0.1, 0.25, 0.5, 0.75, 0.9]) quantiles
               from (select * exclude (province), substr(county_code, 1, 2) province from counted)
               group by grouping sets ((), (province), (province, county_code)))
           select levels.* exclude (level, code), units.level, units.code, """
    + ", ".join(f"units.{c} {c}" for c in COVERAGE) + """
           from units left join levels using (level, code)
           where units.level in ('national', 'province', 'county') order by level, code)
       to '{out}/tables.parquet'""",
]

# The bare minimum, by county only.
BY_COUNTY = {
    "coverage-by-county": """
        with reg as (select county_code, household_id from {register}
                     where status in ('exited', 'poor')),
             ret as (select county_code, household_id from {returns})
        select reg.county_code, count(*) from reg anti join ret using (county_code, household_id)
        group by 1""",
    "tables-by-county": """
        select county_code, count(*), count(distinct household_id), sum(guarantees::int),
               quantile_cont(income_per_person, [0.1, 0.25, 0.5, 0.75, 0.9])
        from {returns} where outcome = 'enumerated' group by 1""",
}


def run(con, steps, store, out):
    os.makedirs(out, exist_ok=True)
    for step in steps:
        con.execute(step.format(returns=RETURNS.format(store=store),
                                register=REGISTER.format(store=store), out=out))


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def compare(ours_dir, duck_dir):
    """Every unit's every number in tables.json (ours, when there) and coverage.csv against
    DuckDB's: the differences."""
    wrong = compare_coverage(ours_dir, duck_dir)
    if not os.path.exists(os.path.join(ours_dir, "tables.json")):
        return wrong
    with open(os.path.join(ours_dir, "tables.json")) as f:
        ours = json.load(f)
    result = duckdb.connect().execute(f"select * from '{duck_dir}/tables.parquet'")
    names = [c[0] for c in result.description]
    theirs = {(r["level"], r["code"]): r for r in (dict(zip(names, row)) for row in result.fetchall())}
    units = [ours["national"]] + ours["provinces"] + ours["counties"]
    if len(units) != len(theirs):
        wrong.append(f"{len(units)} units in tables.json, {len(theirs)} in DuckDB's")
    for u in units:
        d = theirs.get((u["level"], u["code"]))
        if d is None:
            wrong.append(f"{u['level']} {u['code']!r}: not in DuckDB's tables")
            continue
        expected = [(f"coverage.{c}", u["coverage"][c], d[c]) for c in COVERAGE]
        expected.append(("households", u["households"], d["households"]))
        for item, t in zip(ITEMS, u["attainment"]):
            expected += [(f"{item}.{k}", t[k], d[f"{item}_{s}"])
                         for k, s in [("met", "met"), ("unmet", "unmet"), ("unknown", "unknown")]]
        for (kind, _), r in zip(KINDS, u["assistance"]):
            expected += [(f"{kind}.{k}", r[k], d[f"{kind}_{s}"])
                         for k, s in [("receiving", "r"), ("not_receiving", "n"),
                                      ("unknown", "u"), ("total_fen", "fen")]]
        i = u["income"]
        expected += [("income.known", i["known"], d["known"]),
                     ("income.unknown", i["unknown"], d["unknown"])]
        floats = [("income.mean", i["mean"], d["mean"])] + [
            (f"income.{k}", i[k], None if d["quantiles"] is None else float(d["quantiles"][j]))
            for j, k in enumerate(["p10", "p25", "median", "p75", "p90"])]
        for name, a, b in expected:
            # A unit without a counted household has no counts in DuckDB's left join: 0.
            if a != int(b or 0):
                wrong.append(f"{u['level']} {u['code']!r} {name}: ours {a}, DuckDB {b}")
        for name, a, b in floats:
            if not close(a, None if b is None or (isinstance(b, float) and math.isnan(b)) else b):
                wrong.append(f"{u['level']} {u['code']!r} {name}: ours {a}, DuckDB {b}")
    return wrong


def rows(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def compare_coverage(ours_dir, duck_dir):
    """coverage.csv at every level, and the follow-up lists when ours_dir has them."""
    wrong = []
    with open(os.path.join(ours_dir, "coverage.csv"), newline="") as f:
        mine = {(r["level"], r["code"]): r for r in csv.DictReader(f)}
    with open(os.path.join(duck_dir, "coverage.csv"), newline="") as f:
        duck = {(r["level"], r["code"]): r for r in csv.DictReader(f)}
    if mine.keys() != duck.keys():
        wrong.append(f"coverage units: {len(mine.keys() - duck.keys())} only ours, "
                     f"{len(duck.keys() - mine.keys())} only DuckDB's")
    for key in mine.keys() & duck.keys():
        for c in COVERAGE:
            if int(mine[key][c]) != int(duck[key][c]):
                wrong.append(f"coverage {key} {c}: ours {mine[key][c]}, DuckDB {duck[key][c]}")
    lists = os.path.join(ours_dir, "missing")
    if os.path.isdir(lists):
        counties = sorted(f[:-4] for f in os.listdir(lists) if f.endswith(".csv"))
        duck_counties = sorted(d.split("=")[1] for d in os.listdir(os.path.join(duck_dir, "missing")))
        if counties != duck_counties:
            wrong.append(f"follow-up lists: {len(counties)} counties ours, {len(duck_counties)} DuckDB's")
        for county in set(counties) & set(duck_counties):
            part = os.path.join(duck_dir, "missing", f"county_code={county}")
            theirs = [r for f in sorted(os.listdir(part)) for r in rows(os.path.join(part, f))[1:]]
            # DuckDB's partitioned write keeps the rows, not their order, on two threads.
            if sorted(rows(os.path.join(lists, f"{county}.csv"))[1:]) != sorted(theirs):
                wrong.append(f"follow-up list of {county}: not the same rows")
    return wrong


def main(argv):
    if argv[1] == "compare":
        wrong = compare(argv[2], argv[3])
        for w in wrong[:20]:
            print(w)
        print(f"compare: {len(wrong)} differences")
        sys.exit(1 if wrong else 0)
    con = duckdb.connect()
    con.execute(f"SET threads={int(argv[-1])}")
    started = time.perf_counter()
    if argv[1] == "convert":
        con.execute(f"COPY (SELECT * FROM read_csv('{argv[2]}')) TO '{argv[3]}' (FORMAT parquet)")
    elif argv[1] in ("coverage", "tables"):
        steps = COVERAGE_STEPS if argv[1] == "coverage" else TABLES_STEPS
        run(con, steps, argv[2], argv[3])
    else:
        store = argv[2]
        rows = con.execute(BY_COUNTY[argv[1]].format(returns=RETURNS.format(store=store),
                                                     register=REGISTER.format(store=store)))
        print(f"{argv[1]}: {len(rows.fetchall())} counties")
    print(f"{argv[1]}: seconds={time.perf_counter() - started:.3f}")


if __name__ == "__main__":
    main(sys.argv)
