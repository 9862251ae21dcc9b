"""DuckDB's side of the census benchmarks (bench/census/run.sh and national.sh):

    duck.py convert CSV PARQUET THREADS   # the CSV to one Parquet file, validating nothing
    duck.py coverage STORE THREADS        # registered households with no return, by county
    duck.py tables STORE THREADS          # counts, distinct households, attainment, quantiles

The queries read the census store's own Parquet partitions; each prints its seconds (the
query alone, without starting python and importing duckdb)."""
import sys
import time

import duckdb

QUERIES = {
    # Registered households with no return, by county: the coverage's anti-join.
    "coverage": """
        with reg as (select county_code, household_id
                     from read_parquet('{store}/register/**/*.parquet', hive_partitioning=true)
                     where status in ('exited', 'poor')),
             ret as (select county_code, household_id
                     from read_parquet('{store}/returns/**/*.parquet', hive_partitioning=true))
        select reg.county_code, count(*) from reg anti join ret using (county_code, household_id)
        group by 1""",
    # Counts, distinct households, attainment and five income quantiles by county.
    "tables": """
        select county_code, count(*), count(distinct household_id), sum(guarantees::int),
               quantile_cont(income_per_person, [0.1, 0.25, 0.5, 0.75, 0.9])
        from read_parquet('{store}/returns/**/*.parquet', hive_partitioning=true)
        where outcome = 'enumerated' group by 1""",
}


def main(argv):
    con = duckdb.connect()
    con.execute(f"SET threads={int(argv[-1])}")
    started = time.perf_counter()
    if argv[1] == "convert":
        con.execute(f"COPY (SELECT * FROM read_csv('{argv[2]}')) TO '{argv[3]}' (FORMAT parquet)")
        print(f"convert: seconds={time.perf_counter() - started:.3f}")
        return
    rows = con.execute(QUERIES[argv[1]].format(store=argv[2])).fetchall()
    print(f"{argv[1]}: {len(rows)} counties seconds={time.perf_counter() - started:.3f}")


if __name__ == "__main__":
    main(sys.argv)
