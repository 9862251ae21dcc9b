#!/usr/bin/env bash
# Benchmark: visit records imported per second by `assess import-records` (release build) into
# SQLite and PostgreSQL, first import (all new) and re-import (all unchanged), with peak
# memory (GNU time's "Maximum resident set size"), side by side in the same run with what a
# user would otherwise write on the same files (bench/records/records_baseline.py): Python's
# sqlite3 executemany, psycopg 3 executemany, and psql \copy of precomputed rows (first import
# only). Results go into docs/benchmarks.md ("Inspection records and photos").
#
#   bench/records/run.sh                     # 1,000, 10,000 and 100,000 records, 3 repeats
#   SIZES="1000 10000" REPEATS=1 bench/records/run.sh
#   NO_PG=1 bench/records/run.sh             # SQLite only
#   ASSESS=/path/to/assess bench/records/run.sh   # a given build, no cargo build
#
# Data (made once, then reused, under $W): a synthetic national register of HOUSEHOLDS
# households (`assess synth --poverty-counties`), drawn with sample-plans/national-all-counties.toml
# (seeds as in bench/draw/run.sh); N complete visit records with full household records are
# generated from the draw's sample.csv by bench/records/records_gen.py (about 2 KB a record).
# Databases: a template SQLite file and a template PostgreSQL database hold the draw
# (`assess init` + `assess import-sample`); every first import starts from a fresh copy.
# PostgreSQL: a throwaway server (tests/support/pg-throwaway.sh, fsync=off) whose state file is kept
# under $W so that it cannot be confused with a test server of another process; stopped at
# exit. Needs GNU time, python3; pip installs psycopg[binary] if missing (PostgreSQL part).
#
# Environment: SIZES, REPEATS (default 3), HOUSEHOLDS (default 1000000), ASSESS (the assess
# binary to measure; without it, `cargo build --release` and target/release/assess), NO_PG,
# KEEP=1 (append to the previous run's results.tsv), W (work dir, default bench/work/records;
# git-ignored). The table printed at the end is the median of the repeats; every run's numbers
# are in $W/results.tsv, logs and `time -v` reports in $W/runs/.
set -euo pipefail
. "$(dirname "$0")/../common.sh"
assess_given
cd "$(dirname "$0")/../.."
ROOT=$PWD

SIZES=${SIZES:-"1000 10000 100000"}
REPEATS=${REPEATS:-3}
HOUSEHOLDS=${HOUSEHOLDS:-1000000}
SEED=35216645123362514246
HOUSEHOLD_SEED=61423513526416231425
PLAN=sample-plans/national-all-counties.toml
W=${W:-bench/work/records}
TIME=/usr/bin/time

[ -x "$TIME" ] || { echo "GNU time is needed at $TIME (apt-get install time)" >&2; exit 1; }
mkdir -p "$W/runs"
W=$(cd "$W" && pwd)
assess_binary
# A private copy: another build replacing target/release/assess mid-run cannot change it.
cp "$ASSESS" "$W/assess"
A=$W/assess

# ---- data ---------------------------------------------------------------------------------
if [ ! -s "$W/draw/manifest.json" ]; then
    echo "== synth $HOUSEHOLDS households, draw $PLAN"
    $A synth --poverty-counties --households "$HOUSEHOLDS" --seed 1 \
        --out "$W/register.csv" --villages "$W/villages.csv" > "$W/synth.log" 2>&1
    rm -rf "$W/draw"
    $A draw --plan "$PLAN" --frame "$W/register.csv" --villages "$W/villages.csv" \
        --seed "$SEED" --household-seed "$HOUSEHOLD_SEED" --out "$W/draw" > "$W/draw.log" 2>&1
fi
SAMPLE=$(($(wc -l < "$W/draw/sample.csv") - 1))
for N in $SIZES; do
    [ -s "$W/visits-$N.jsonl" ] || python3 bench/records/records_gen.py "$W/draw" "$N" "$W/visits-$N.jsonl"
done
if [ ! -s "$W/template.db" ]; then
    echo "== template SQLite database (the draw: $SAMPLE households)"
    $A init --db "$W/template.db" > /dev/null
    $A import-sample "$W/draw" --db "$W/template.db" > /dev/null
    python3 -c 'import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA wal_checkpoint(TRUNCATE)")' "$W/template.db"
fi

PG=""
if [ -z "${NO_PG:-}" ]; then
    python3 -c 'import psycopg' 2>/dev/null || { echo "== pip install psycopg[binary]"; python3 -m pip install --quiet "psycopg[binary]"; }
    mkdir -p "$W/pg"
    chmod 755 "$W/pg"
    export TMPDIR=$W/pg   # pg-throwaway.sh keeps its state file and data directory there
    eval "$(tests/support/pg-throwaway.sh start)"
    trap 'TMPDIR=$W/pg "$ROOT/tests/support/pg-throwaway.sh" stop' EXIT
    unset TMPDIR
    PG=${ASSESS_TEST_PG%/*}   # postgres://postgres@127.0.0.1:PORT
    echo "== PostgreSQL at $PG ($(psql "$PG/postgres" -Atc 'SHOW server_version'))"
    psql -q "$PG/postgres" -c "CREATE DATABASE tpl" > /dev/null
    $A init --db "$PG/tpl" > /dev/null
    $A import-sample "$W/draw" --db "$PG/tpl" > /dev/null
fi

# ---- helpers --------------------------------------------------------------------------------
wall() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$1"; }
rss() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }
cpu() { awk -F': ' '/Percent of CPU/ { sub("%", "", $2); print $2 }' "$1"; }
cpus() { awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$1"; }  # user + system CPU seconds
fresh_sqlite() { rm -f "$1" "$1-wal" "$1-shm"; cp "$W/template.db" "$1"; }
fresh_pg() { psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1 TEMPLATE tpl" > /dev/null; }
# timed NAME EXPECT CMD...: runs CMD under time -v, checks its output contains EXPECT,
# appends a line to results.tsv.
timed() {
    local name=$1 expect=$2; shift 2
    local base="$W/runs/$N.$name.$r"
    $TIME -v -o "$base.time" "$@" > "$base.log" 2>&1 || { cat "$base.log" >&2; exit 1; }
    grep -q -- "$expect" "$base.log" || { echo "$name: expected \"$expect\" in:" >&2; cat "$base.log" >&2; exit 1; }
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$N" "$name" "$r" "$(wall "$base.time")" "$(rss "$base.time")" "$(cpu "$base.time")" "$(cpus "$base.time")" >> "$W/results.tsv"
    printf '   %-22s %8ss %6s MiB %5s CPU %8s CPU-s\n' "$name" "$(wall "$base.time")" "$(rss "$base.time")" "$(cpu "$base.time")" "$(cpus "$base.time")"
}

[ -n "${KEEP:-}" ] || : > "$W/results.tsv"   # KEEP=1 appends to the previous run's results
{ echo "date: $(date -u +%FT%TZ)"; echo "checkout: $(git rev-parse HEAD 2>/dev/null || echo unknown); binary: ${ASSESS} ($(date -u -r "$ASSESS" +%FT%TZ))"
  echo "assess: $($A --version)"; echo "sample: $SAMPLE households"; python3 --version
  python3 -c 'import sqlite3; print("sqlite3 (Python):", sqlite3.sqlite_version)'
  [ -n "$PG" ] && python3 -c 'import psycopg; print("psycopg:", psycopg.__version__)'
  [ -n "$PG" ] && psql --version; } > "$W/versions.txt"
cat "$W/versions.txt"

for N in $SIZES; do
    F=$W/visits-$N.jsonl
    [ -n "$PG" ] && python3 bench/records/records_baseline.py csv "$F" "$W/copy-$N.csv"
    echo "== $N records ($(du -m "$F" | cut -f1) MiB); $(uptime | sed 's/.*load/load/')"
    echo "$N $(uptime)" >> "$W/uptime.txt"
    for r in $(seq 1 "$REPEATS"); do
        echo " run $r"
        fresh_sqlite "$W/ours.db"
        timed sqlite.assess.first "$N new" $A import-records "$F" --db "$W/ours.db"
        timed sqlite.assess.again "$N unchanged" $A import-records "$F" --db "$W/ours.db"
        fresh_sqlite "$W/py.db"
        timed sqlite.python.first "$N new" python3 bench/records/records_baseline.py sqlite "$W/py.db" "$F"
        timed sqlite.python.again "$N unchanged" python3 bench/records/records_baseline.py sqlite "$W/py.db" "$F"
        if [ -n "$PG" ]; then
            fresh_pg ours
            timed pg.assess.first "$N new" $A import-records "$F" --db "$PG/ours"
            timed pg.assess.again "$N unchanged" $A import-records "$F" --db "$PG/ours"
            fresh_pg py
            timed pg.psycopg.first "$N new" python3 bench/records/records_baseline.py pg "$PG/py" "$F"
            timed pg.psycopg.again "$N unchanged" python3 bench/records/records_baseline.py pg "$PG/py" "$F"
            fresh_pg cp
            timed pg.copy.first "COPY $N" psql -v ON_ERROR_STOP=1 "$PG/cp" -c \
                "\\copy visits (draw_id, household_id, version, disposition, record_json, content_sha256, is_current, imported_at, source_file, stage) FROM '$W/copy-$N.csv' WITH (FORMAT csv)"
        fi
    done
done
[ -n "$PG" ] && psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS ours" -c "DROP DATABASE IF EXISTS py" -c "DROP DATABASE IF EXISTS cp" > /dev/null
rm -f "$W/ours.db"* "$W/py.db"*

echo
echo "median of $REPEATS run(s): records, side, wall s, records/s, peak RSS MiB, CPU"
python3 - "$W/results.tsv" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    n, name, r, wall, rss, cpu, cpus = line.split("\t")
    runs[(int(n), name)].append((float(wall), int(rss), cpu, float(cpus)))
print("| records | side | runs | wall (s) | records/s (wall) | CPU s (user+sys) | records/CPU-s | peak RSS (MiB) |")
print("|---:|---|---:|---:|---:|---:|---:|---:|")
for (n, name), v in sorted(runs.items()):
    wall = statistics.median(x[0] for x in v)
    rss = statistics.median(x[1] for x in v)
    cs = statistics.median(x[3] for x in v)
    print(f"| {n:,} | {name} | {len(v)} | {wall:.2f} | {n / wall:,.0f} | {cs:.2f} | {n / max(cs, 0.005):,.0f} | {rss:.0f} |")
PY
