#!/usr/bin/env bash
# The national census at its full size (issue 15, section 7): about 30 million returns of the
# 832 poverty counties, on this 2-core machine, against DuckDB in the same run on the same
# files. The CSV of 30 million returns is about 51 GB, more than fits beside the store, the
# register and DuckDB's Parquet on a 60 GB disk, so the census is made and ingested in
# SLICES slices of counties (contiguous county codes, so whole provinces mostly): each slice's
# CSV is synthesised, ingested into the one store (timed), converted by DuckDB (timed) and
# deleted. The slices' times and CPU are summed; the peak memory is the largest slice's.
# Then the registers are loaded (not timed) and coverage, quality and tables run on the whole
# store against DuckDB's anti-join and group-by, as in bench/census/run.sh.
#
# The register is the census's: the registered households only (`--registered-share 1`), as
# the 2020 census worked from the register of registered poor households; one return each.
#
#   bench/census/national.sh                            # 33 M households, about 30 M returns
#   HOUSEHOLDS=400000 SLICES=2 bench/census/national.sh # a rehearsal (a minute)
#
# Environment: HOUSEHOLDS (registered households, default 33,000,000: nine in ten have a
# return, the others are the planted never-enumerated and dissolved or moved), SLICES (default 3), SEED (default 1), THREADS
# (DuckDB threads, default 2), ASSESS (binary; default cargo build --release), W (work dir,
# default bench/work/national; git-ignored), QUERIES_ONLY (1: keep the store and the ingest's
# times of an earlier run in W, and time coverage, quality and tables again). Needs about 25 GB free for 3 slices of 30 M
# (a slice's CSV, about 17 GB, is deleted before the next), plus the store (about 9 GB).
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/common.sh
assess_given
HOUSEHOLDS=${HOUSEHOLDS:-33000000}
SLICES=${SLICES:-3}
SEED=${SEED:-1}
THREADS=${THREADS:-2}
W=${W:-bench/work/national}
. bench/census/common.sh

# Each county's share of the households, from a small register of the same synthesis (the
# synth splits households across counties by their rural villages).
"$ASSESS" synth --poverty-counties --households 1000000 --registered-share 1 --seed "$SEED" \
    --out "$W/shares.csv" >/dev/null
python3 - "$W/shares.csv" "$SLICES" "$HOUSEHOLDS" > "$W/slices.txt" <<'PY'
import csv, sys, collections
path, slices, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
n = collections.Counter(r["village_code"][:6] for r in csv.DictReader(open(path)))
all_ = sum(n.values())
# Contiguous runs of counties (by code) with about equal households each.
runs, acc = [[] for _ in range(slices)], 0
for c in sorted(n):
    runs[min(int(acc * slices / all_), slices - 1)].append(c)
    acc += n[c]
for run in runs:
    print(round(total * sum(n[c] for c in run) / all_), ",".join(run))
PY

if [ "${QUERIES_ONLY:-0}" != 1 ]; then
    rm -rf "$W/store" "$W"/time-* "$W"/out-*
    k=0
    while read -r households counties; do
        k=$((k + 1))
        echo "== slice $k of $SLICES: $households households of $(echo "$counties" | tr ',' '\n' | wc -l) counties"
        "$ASSESS" synth --county "$counties" --households "$households" --registered-share 1 \
            --seed "$SEED" --out "$W/register-$k.csv" --census-out "$W/returns-$k.csv" \
            --census-format csv --census-truth "$W/census-truth-$k.csv" \
            --census-registries "$W/registries-$k" >/dev/null
        echo "   $(wc -c < "$W/returns-$k.csv" | awk '{printf "%.1f GB", $1/1e9}') of CSV; $(df -h "$W" | awk 'NR==2{print $4}') free"
        timed "assess census ingest $k" "$ASSESS" census ingest --store "$W/store" "$W/returns-$k.csv"
        tail -1 "$W/out-assess census ingest $k.txt"
        timed "duckdb csv->parquet $k" python3 bench/census/duck.py convert "$W/returns-$k.csv" \
            "$W/duck-$k.parquet" "$THREADS"
        rm -f "$W/returns-$k.csv" "$W/duck-$k.parquet"
    done < "$W/slices.txt"

    echo "== the registers into the store (not timed)"
    for r in "$W"/register-*.csv; do
        "$ASSESS" census ingest --store "$W/store" --register "$r" >/dev/null
    done
fi
census_queries
du -sh "$W/store"

python3 - "$W" "$SLICES" <<'PY'
import sys, re
w, slices = sys.argv[1], int(sys.argv[2])
def t(name):
    wall, user, sys_, rss = map(float, open(f"{w}/time-{name}").read().split())
    return wall, user + sys_, rss / 1024
def total(prefix):
    parts = [t(f"{prefix} {k}") for k in range(1, slices + 1)]
    return sum(p[0] for p in parts), sum(p[1] for p in parts), max(p[2] for p in parts)
returns = sum(int(re.search(r"([0-9]+) stored", open(f"{w}/out-assess census ingest {k}.txt").read()).group(1))
              for k in range(1, slices + 1))
print(f"{returns:,} returns stored")
print("| step | assess wall (CPU) | DuckDB wall (CPU) | wall ratio (target <= 1.0) | assess peak | DuckDB peak |")
print("|---|---:|---:|---:|---:|---:|")
a, d = total("assess census ingest"), total("duckdb csv->parquet")
print(f"| ingest | {a[0]:.1f} s ({a[1]:.1f} s) | {d[0]:.1f} s ({d[1]:.1f} s) | {a[0]/d[0]:.2f} | {a[2]:.0f} MB | {d[2]:.0f} MB |")
PY
python3 bench/census/queries.py "$W"
