#!/usr/bin/env bash
# Benchmark: census returns loaded into PostgreSQL per second, through assess's COPY path
# (assess_store::census: COPY ... FROM STDIN in batches, each committed with its checkpoint)
# and by a bare `psql \copy` of a CSV of the same rows, into the same partitioned table
# (census_returns, partitions made beforehand) of two fresh databases. The issue's target:
# ours at least 0.8x the rows per second of the bare \copy. Results go into docs/benchmarks.md.
#
#   bench/census/pg-load.sh                  # 1,000,000 returns
#   ROWS=30000000 bench/census/pg-load.sh    # the national census (about 8 GB of CSV)
#
# Environment: ROWS (default 1000000), BATCH (rows a transaction, default 50000), PROFILE
# (cargo profile of the loader, default release), ASSESS_TEST_PG (a server to use; without
# it a throwaway server, tests/support/pg-throwaway.sh, is started and stopped), W (work dir,
# default bench/work/census-pg; git-ignored).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
ROWS=${ROWS:-1000000}
BATCH=${BATCH:-50000}
PROFILE=${PROFILE:-release}
W=${W:-bench/work/census-pg}
mkdir -p "$W"
W=$(cd "$W" && pwd)

echo "== cargo build --profile $PROFILE --example census_pg_load"
cargo build --quiet --profile "$PROFILE" -p assess-store --example census_pg_load
dir=$PROFILE; [ "$PROFILE" = dev ] && dir=debug
L=${CARGO_TARGET_DIR:-target}/$dir/examples/census_pg_load

if [ -z "${ASSESS_TEST_PG:-}" ]; then
    mkdir -p "$W/pg" && chmod 755 "$W/pg"
    export TMPDIR=$W/pg
    eval "$(tests/support/pg-throwaway.sh start)"
    trap 'TMPDIR=$W/pg "$ROOT/tests/support/pg-throwaway.sh" stop' EXIT
    unset TMPDIR
fi
PG=${ASSESS_TEST_PG%/*}
export PGOPTIONS="-c client_min_messages=warning"
echo "== PostgreSQL $(psql "$PG/postgres" -Atc 'SHOW server_version') at $PG; $ROWS returns"

[ -s "$W/returns-$ROWS.csv" ] || "$L" csv "$ROWS" "$W/returns-$ROWS.csv"
for db in census_ours census_psql; do
    psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    "$L" schema "$PG/$db"
done
COLUMNS=$(psql -Atc "SELECT string_agg(attname, ', ' ORDER BY attnum) FROM pg_attribute \
    WHERE attrelid = 'census_returns'::regclass AND attnum > 0" "$PG/census_ours")

ours=$("$L" load "$PG/census_ours" "$ROWS" "$BATCH")
echo "assess COPY path: $ours"
start=$(date +%s.%N)
psql -v ON_ERROR_STOP=1 -q "$PG/census_psql" \
    -c "\\copy census_returns ($COLUMNS) FROM '$W/returns-$ROWS.csv' WITH (FORMAT csv)"
end=$(date +%s.%N)
for db in census_ours census_psql; do
    n=$(psql -Atc "SELECT count(*) FROM census_returns" "$PG/$db")
    [ "$n" = "$ROWS" ] || { echo "$db holds $n returns, not $ROWS" >&2; exit 1; }
done
python3 - "$ours" "$start" "$end" "$ROWS" <<'PY'
import re, sys
ours, start, end, rows = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
ours_rate = float(re.search(r"\(([\d.]+) returns/s\)", ours).group(1))
bare = end - start
print(f"psql \\copy: loaded {rows} returns in {bare:.2f} s ({rows / bare:.0f} returns/s)")
print(f"| returns | assess COPY (returns/s) | psql \\copy (returns/s) | ratio (target >= 0.8) |")
print(f"|---:|---:|---:|---:|")
print(f"| {rows:,} | {ours_rate:,.0f} | {rows / bare:,.0f} | {ours_rate / (rows / bare):.2f} |")
PY
psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS census_ours" -c "DROP DATABASE IF EXISTS census_psql"
