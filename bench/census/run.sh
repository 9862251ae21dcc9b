#!/usr/bin/env bash
# The national census at engine speed (issue 15, section 7): `assess census ingest` (read,
# validate, judge, store as Parquet) against DuckDB converting the same CSV to Parquet (which
# validates nothing), wall, CPU and peak memory with GNU time, in the same run on the same
# file; then the PostgreSQL COPY load against a bare `psql \copy` (bench/census/pg-load.sh);
# then `assess census coverage` and `assess census tables` (with the counts of `assess census
# quality`, timed too) against DuckDB's anti-join and group-by on the same Parquet files.
# The targets: each at most 1.0x DuckDB's time, the ingest's peak memory at most 2 GB.
#
#   bench/census/run.sh                      # HOUSEHOLDS registered (default 10,000,000)
#   HOUSEHOLDS=300000 bench/census/run.sh       # a quick run
#
# Environment: HOUSEHOLDS (registered households of the synthetic census, about a quarter of
# them enumerated as returns; `assess synth --poverty-counties`
# needs about 150,000 or more; a CSV return is about 1.7 KB, so 30 M is about 51 GB and the
# default 10 M about 17 GB: check `df -h`), SEED (synth seed, default 1), THREADS (DuckDB
# threads, default 2), PG (1: also the PostgreSQL load, default 1), ASSESS (binary measured;
# default cargo build --release), W (work dir, default bench/work/census; git-ignored).
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/common.sh
assess_given
HOUSEHOLDS=${HOUSEHOLDS:-10000000}
SEED=${SEED:-1}
THREADS=${THREADS:-2}
PG=${PG:-1}
W=${W:-bench/work/census}
. bench/census/common.sh

CSV=$W/returns-$HOUSEHOLDS.csv
if [ ! -s "$CSV" ]; then
    echo "== synthetic census: $HOUSEHOLDS households of the 832 poverty counties (CSV)"
    "$ASSESS" synth --poverty-counties --households "$HOUSEHOLDS" --seed "$SEED" \
        --out "$W/register-$HOUSEHOLDS.csv" --villages "$W/villages-$HOUSEHOLDS.csv" \
        --truth "$W/truth-$HOUSEHOLDS.csv" --census-out "$CSV.tmp" --census-format csv \
        --census-truth "$W/census-truth-$HOUSEHOLDS.csv" --census-registries "$W/registries-$HOUSEHOLDS" >/dev/null
    mv "$CSV.tmp" "$CSV"
fi
echo "== $(wc -c < "$CSV" | awk '{printf "%.1f GB", $1/1e9}') of CSV, $(nproc) cores"

rm -rf "$W/store" "$W/duck.parquet"
timed "assess census ingest" "$ASSESS" census ingest --store "$W/store" "$CSV"
tail -1 "$W/out-assess census ingest.txt"
timed "duckdb csv->parquet" python3 bench/census/duck.py convert "$CSV" "$W/duck.parquet" "$THREADS"

read -r aw au as am < "$W/time-assess census ingest"
read -r dw du ds dm < "$W/time-duckdb csv->parquet"
python3 - "$HOUSEHOLDS" "$aw" "$au" "$as" "$am" "$dw" "$du" "$ds" "$dm" <<'PY'
import sys
n = int(sys.argv[1]); aw, au, as_, am, dw, du, ds, dm = map(float, sys.argv[2:])
print(f"| registered households | assess ingest wall (CPU) | DuckDB wall (CPU) | wall ratio (target <= 1.0) | assess peak | DuckDB peak |")
print(f"|---:|---:|---:|---:|---:|---:|")
print(f"| {n:,} | {aw:.1f} s ({au+as_:.1f} s) | {dw:.1f} s ({du+ds:.1f} s) | {aw/dw:.2f} | {am/1024:.0f} MB | {dm/1024:.0f} MB |")
PY

# Coverage, quality and tables on the store just written, with its register, against DuckDB's
# anti-join and group-by on the same Parquet files (the store's own partitions).
echo "== the register into the store (not timed)"
"$ASSESS" census ingest --store "$W/store" --register "$W/register-$HOUSEHOLDS.csv" >/dev/null
census_queries
echo "| step | assess wall (CPU) | DuckDB wall (CPU) | wall ratio (target <= 1.0) | assess peak | DuckDB peak |"
echo "|---|---:|---:|---:|---:|---:|"
python3 bench/census/queries.py "$W"

if [ "$PG" = 1 ]; then
    echo "== PostgreSQL: the COPY path against a bare psql \\copy, $HOUSEHOLDS returns"
    ROWS=$(($(tail -n +2 "$CSV" | cut -d, -f1 | uniq | wc -l))) bench/census/pg-load.sh
fi
