#!/usr/bin/env bash
# Benchmark: the field server (`assess serve`, release build) under N concurrent clients on
# loopback, on SQLite and on PostgreSQL: record batches and photos uploaded for a set time,
# then every acknowledgement checked against the database (nothing lost, nothing duplicated,
# the content sent) and the audit chain verified. Results go into docs/benchmarks.md ("Field
# server") and docs/server.md ("Load and crash tests").
#
#   bench/server/run.sh                        # 1, 50, 200 clients; records and photos; both engines
#   CLIENTS="200" KINDS=records SECONDS_EACH=30 bench/server/run.sh
#   NO_PG=1 bench/server/run.sh                # SQLite only
#   ASSESS=/path/to/assess bench/server/run.sh # a given build, no cargo build
#
# Data (made once under $W): a synthetic Luquan register of HOUSEHOLDS households, drawn with
# bench/server/plan.toml (100 villages, about 65 sampled households each); 200 interviewer
# accounts of team "load" (county 530128 assigned to it), two to a village: client i holds half
# of village i/2's sampled households (about 32, the batch an interviewer pair uploads after a
# day in a village). A template database of each engine holds the draw and the accounts; every
# run starts from a fresh copy of it.
#
# A run: `assess serve --rate 0` (no per-account rate limit; every other limit at its default)
# on 127.0.0.1, the load client (bench/server/loadgen, a small Rust program outside the
# workspace; its load and check code is also the tests') with N clients for SECONDS_EACH
# seconds:
#   records: each client uploads its households' records as one batch (BATCH at most), again
#            and again, each time with new content based on the version last acknowledged (so
#            every upload after the first is a new version of every record);
#   photos:  each client uploads a new PHOTO-sized JPEG (unique bytes) of one of its households
#            at a time.
# Then the server is stopped (SIGTERM), `loadgen verify` checks the database against every
# acknowledgement, and `assess audit verify` checks the audit chain (when the build has it).
#
# PostgreSQL: a throwaway server (tests/support/pg-throwaway.sh: fsync=off,
# synchronous_commit=off), or ASSESS_BENCH_PG=postgres://user@host:port (a server whose
# databases `tpl` and `bench` this script may drop and create).
#
# Environment: CLIENTS (default "1 50 200"), KINDS (default "records photos"), SECONDS_EACH
# (default 20), BATCH (default 32), PHOTO (default 4000x3000), HOUSEHOLDS (default 60000),
# WORKERS (load client threads, default 1), INTERVAL_MS (each client starts a request at most
# every INTERVAL_MS: load offered at a rate, as interviewers upload now and then; unset: each
# client sends its next request as soon as the last is answered), ASSESS, NO_PG, ASSESS_BENCH_PG, W (work dir,
# default bench/work/server; git-ignored). Results: $W/results.jsonl (one JSON line a run),
# and a Markdown table printed at the end.
set -euo pipefail
. "$(dirname "$0")/../common.sh"
assess_given
cd "$(dirname "$0")/../.."
ROOT=$PWD

CLIENTS=${CLIENTS:-"1 50 200"}
KINDS=${KINDS:-"records photos"}
SECONDS_EACH=${SECONDS_EACH:-20}
BATCH=${BATCH:-32}
PHOTO=${PHOTO:-4000x3000}
HOUSEHOLDS=${HOUSEHOLDS:-60000}
WORKERS=${WORKERS:-1}
W=${W:-bench/work/server}
mkdir -p "$W/runs"
W=$(cd "$W" && pwd)
assess_binary
cp "$ASSESS" "$W/assess"
A=$W/assess

echo "== build bench/server/loadgen"
cp Cargo.lock bench/server/loadgen/Cargo.lock
CARGO_TARGET_DIR=${LOADGEN_TARGET:-$ROOT/target} cargo build --release --quiet \
    --manifest-path bench/server/loadgen/Cargo.toml
rm -f bench/server/loadgen/Cargo.lock
cp "${LOADGEN_TARGET:-$ROOT/target}/release/loadgen" "$W/loadgen"
L=$W/loadgen

# ---- data -----------------------------------------------------------------------------------
if [ ! -s "$W/draw/manifest.json" ]; then
    echo "== synth $HOUSEHOLDS households of Luquan, draw bench/server/plan.toml"
    $A synth --county 530128 --households "$HOUSEHOLDS" --seed 1 \
        --out "$W/register.csv" --villages "$W/villages.csv" > "$W/synth.log" 2>&1
    rm -rf "$W/draw"
    $A draw --plan bench/server/plan.toml --frame "$W/register.csv" --villages "$W/villages.csv" \
        --seed 3521664512336251424661524 --household-seed 6152443325164615243335216 --out "$W/draw" > "$W/draw.log" 2>&1
fi

# The draw, 200 interviewers and their assignments in a database; the clients file.
prepare() { bench/server/prepare.sh "$A" "$W/draw" "$W/villages.csv" "$1" "$2" 200; }

if [ ! -s "$W/sqlite-clients.tsv" ]; then
    echo "== template SQLite database: the draw, 200 interviewers, assignments"
    rm -f "$W/template.db"*
    prepare "$W/template.db" "$W/sqlite-clients.tsv.tmp"
    python3 -c 'import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA wal_checkpoint(TRUNCATE)")' "$W/template.db"
    mv "$W/sqlite-clients.tsv.tmp" "$W/sqlite-clients.tsv"
fi

PG=""
if [ -z "${NO_PG:-}" ]; then
    if [ -n "${ASSESS_BENCH_PG:-}" ]; then
        PG=${ASSESS_BENCH_PG%/}
    else
        mkdir -p "$W/pg"
        chmod 755 "$W/pg"
        export TMPDIR=$W/pg   # pg-throwaway.sh keeps its state file and data directory there
        eval "$(tests/support/pg-throwaway.sh start)"
        trap 'TMPDIR=$W/pg "$ROOT/tests/support/pg-throwaway.sh" stop' EXIT
        unset TMPDIR
        PG=${ASSESS_TEST_PG%/*}
    fi
    echo "== PostgreSQL at $PG ($(psql "$PG/postgres" -Atc 'SHOW server_version'))"
    psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS bench" -c "DROP DATABASE IF EXISTS tpl" -c "CREATE DATABASE tpl" > /dev/null
    prepare "$PG/tpl" "$W/pg-clients.tsv"
fi

HAVE_AUDIT=""
$A audit verify --help > /dev/null 2>&1 && HAVE_AUDIT=1

# ---- runs -------------------------------------------------------------------------------------
fresh() {
    case $1 in
    sqlite) rm -f "$W/bench.db"*; cp "$W/template.db" "$W/bench.db"; echo "$W/bench.db" ;;
    pg) psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS bench WITH (FORCE)" -c "CREATE DATABASE bench TEMPLATE tpl" > /dev/null
        echo "$PG/bench" ;;
    esac
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

[ -n "${KEEP:-}" ] || : > "$W/results.jsonl"
{ echo "date: $(date -u +%FT%TZ)"; echo "checkout: $(git rev-parse HEAD 2>/dev/null || echo unknown)"
  echo "assess: $($A --version)"; echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) x $(nproc)"
  [ -n "$PG" ] && psql --version; echo "batch: $BATCH; photo: $PHOTO; seconds: $SECONDS_EACH"; } > "$W/versions.txt"
cat "$W/versions.txt"

ENGINES="sqlite"
[ -n "$PG" ] && ENGINES="sqlite pg"
for engine in $ENGINES; do
    for kind in $KINDS; do
        for n in $CLIENTS; do
            name=$engine.$kind.$n
            db=$(fresh "$engine")
            rm -f "$W/runs/$name".*
            $A serve --db "$db" --listen 127.0.0.1:0 --rate 0 > "$W/runs/$name.out" 2> "$W/runs/$name.log" &
            pid=$!
            for _ in $(seq 1 300); do grep -q 'listening on' "$W/runs/$name.out" 2>/dev/null && break; sleep 0.1; done
            base=$(grep -o 'http://[0-9.:]*' "$W/runs/$name.out" | head -1)
            [ -n "$base" ] || { echo "the server did not start:"; cat "$W/runs/$name.log"; exit 1; }
            t0=$(cpu_ticks $pid)
            result=$($L run --base "$base" --clients "$W/$engine-clients.tsv" --n "$n" --kind "$kind" \
                --seconds "$SECONDS_EACH" --batch "$BATCH" --photo "$PHOTO" --workers "$WORKERS" \
                --acks "$W/runs/$name.acks" ${INTERVAL_MS:+--interval-ms "$INTERVAL_MS"})
            t1=$(cpu_ticks $pid)
            kill -TERM $pid
            wait $pid || { echo "the server exited with $?"; exit 1; }
            server_cpu=$(python3 -c "import os,sys; print(round((int(sys.argv[2]) - int(sys.argv[1])) / os.sysconf('SC_CLK_TCK'), 2))" "$t0" "$t1")
            verified=$($L verify --db "$db" --acks "$W/runs/$name.acks") || { echo "$verified"; exit 1; }
            audit="not in this build"
            if [ -n "$HAVE_AUDIT" ]; then
                $A audit verify --db "$db" > "$W/runs/$name.audit" 2>&1 || { cat "$W/runs/$name.audit"; exit 1; }
                audit=intact
            fi
            python3 - "$result" "$engine" "$server_cpu" "$verified" "$audit" >> "$W/results.jsonl" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
r.update(engine=sys.argv[2], server_cpu_s=float(sys.argv[3]), verified=sys.argv[4].splitlines()[0], audit=sys.argv[5])
print(json.dumps(r, ensure_ascii=False))
PY
            tail -1 "$W/results.jsonl" | python3 -c 'import json, sys
r = json.loads(sys.stdin.read())
print("   {engine:6} {kind:7} {clients:4} clients: {requests_per_s:8.1f} req/s {records_per_s:8.0f} records/s  p50 {p50_ms:8.1f} ms  p99 {p99_ms:8.1f} ms  errors {errors}  server CPU {server_cpu_s} s; {verified}; audit {audit}".format(**r))'
        done
    done
done
[ -n "$PG" ] && psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS bench WITH (FORCE)" > /dev/null

echo
python3 - "$W/results.jsonl" <<'PY'
import json, sys
print("| engine | upload | clients | requests/s | records/s | p50 (ms) | p99 (ms) | errors | server CPU (s) | checked |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
for line in open(sys.argv[1]):
    r = json.loads(line)
    eng = {"sqlite": "SQLite", "pg": "PostgreSQL"}[r["engine"]]
    rec = f"{r['records_per_s']:,.0f}" if r["kind"] == "records" else "-"
    ok = "yes" if " 0 problems" in r["verified"] else "NO"
    print(f"| {eng} | {r['kind']} | {r['clients']} | {r['requests_per_s']:,.1f} | {rec} | {r['p50_ms']:,.1f} | {r['p99_ms']:,.1f} | {r['errors']} | {r['server_cpu_s']:.1f} | {ok}; audit {r['audit']} |")
PY
