"""The rows of coverage, tables and quality for the results table of run.sh and national.sh:
python3 bench/census/queries.py W (the work directory that census_queries timed into)."""
import sys

W = sys.argv[1]


def t(name):
    wall, user, sys_, rss = map(float, open(f"{W}/time-{name}").read().split())
    return wall, user + sys_, rss / 1024


def row(label, a, d):
    return (f"| {label} | {a[0]:.1f} s ({a[1]:.1f} s) | {d[0]:.1f} s ({d[1]:.1f} s) "
            f"| {a[0] / d[0]:.2f} | {a[2]:.0f} MB | {d[2]:.0f} MB |")


for step in ["coverage", "tables"]:
    ours = t(f"assess census {step}")
    print(row(f"{step} (DuckDB: the same numbers, checked equal)", ours, t(f"duckdb {step}")))
    print(row(f"{step} (DuckDB: the bare query by county only)", ours,
              t(f"duckdb {step}-by-county")))
q = t("assess census quality")
print(f"| quality checks (no DuckDB counterpart) | {q[0]:.1f} s ({q[1]:.1f} s) | | | {q[2]:.0f} MB | |")
