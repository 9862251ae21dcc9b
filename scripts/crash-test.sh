#!/usr/bin/env bash
# The field server killed with SIGKILL in the middle of the load, then restarted, ROUNDS times
# on SQLite and on PostgreSQL (docs/server.md, "Load and crash tests"). Each round:
#   1. `assess serve` starts on the round's database (the same database every round);
#   2. the load client (bench/server/loadgen) runs CLIENTS clients uploading record batches
#      and PHOTO_CLIENTS clients uploading photos; every acknowledged record id, household and
#      content hash is appended (and flushed) to the acknowledgement log as its answer arrives;
#   3. at a random moment between 0.5 and 3.5 s, the server gets `kill -9`;
#   4. it is started again on the same database and must answer;
#   5. `loadgen verify` checks every acknowledgement of every round so far against the
#      database (each accepted record is the version answered, with the hash answered and the
#      content sent; nothing is duplicated; versions run 1..n with the last current; every
#      acknowledged photo is stored and linked), and `assess audit verify` checks the audit
#      chain (when the build has it).
# One line per round; exits 1 at the first failed round.
#
#   scripts/crash-test.sh                 # 20 rounds on SQLite and on PostgreSQL
#   ROUNDS=5 ENGINES=sqlite scripts/crash-test.sh
#   ASSESS=target/debug/assess scripts/crash-test.sh
#
# Data: the bundled Luquan register drawn with sample-plans/luquan-530128.toml (25 villages),
# prepared by bench/server/prepare.sh. PostgreSQL: a throwaway server
# (tests/support/pg-throwaway.sh), or ASSESS_BENCH_PG=postgres://user@host:port (databases
# named crash_* are dropped and made there).
#
# Environment: ROUNDS (default 20), ENGINES (default "sqlite pg"), CLIENTS (default 20),
# PHOTO_CLIENTS (default 2), ASSESS, W (work dir, default bench/work/crash; git-ignored).
set -euo pipefail
. "$(dirname "$0")/../bench/common.sh"
assess_given
cd "$(dirname "$0")/.."
ROOT=$PWD
ROUNDS=${ROUNDS:-20}
ENGINES=${ENGINES:-"sqlite pg"}
CLIENTS=${CLIENTS:-20}
PHOTO_CLIENTS=${PHOTO_CLIENTS:-2}
W=${W:-bench/work/crash}
mkdir -p "$W"
W=$(cd "$W" && pwd)
assess_binary
cp "$ASSESS" "$W/assess"
A=$W/assess

if [ ! -x "$W/loadgen" ] || [ bench/server/loadgen/src/load.rs -nt "$W/loadgen" ]; then
    echo "== build bench/server/loadgen"
    cp Cargo.lock bench/server/loadgen/Cargo.lock
    CARGO_TARGET_DIR=${LOADGEN_TARGET:-$ROOT/target} cargo build --release --quiet \
        --manifest-path bench/server/loadgen/Cargo.toml
    rm -f bench/server/loadgen/Cargo.lock
    cp "${LOADGEN_TARGET:-$ROOT/target}/release/loadgen" "$W/loadgen"
fi
L=$W/loadgen

if [ ! -s "$W/draw/manifest.json" ]; then
    $A draw --plan sample-plans/luquan-530128.toml --frame examples/luquan/register.csv \
        --villages examples/luquan/villages.csv --seed 3521664512336251424661524 \
        --household-seed 6152443325164615243335216 --out "$W/draw" > "$W/draw.log" 2>&1
fi

PG=""
if [[ " $ENGINES " == *" pg "* ]]; then
    if [ -n "${ASSESS_BENCH_PG:-}" ]; then
        PG=${ASSESS_BENCH_PG%/}
    else
        mkdir -p "$W/pg"
        chmod 755 "$W/pg"
        export TMPDIR=$W/pg
        eval "$(tests/support/pg-throwaway.sh start)"
        trap 'TMPDIR=$W/pg "$ROOT/tests/support/pg-throwaway.sh" stop' EXIT
        unset TMPDIR
        PG=${ASSESS_TEST_PG%/*}
    fi
fi
HAVE_AUDIT=""
$A audit verify --help > /dev/null 2>&1 && HAVE_AUDIT=1

SERVER_PID=""
start_server() {  # DB LOG: starts the server, sets SERVER_PID and BASE
    : > "$W/serve.out"
    $A serve --db "$1" --listen 127.0.0.1:0 --rate 0 > "$W/serve.out" 2>> "$2" &
    SERVER_PID=$!
    for _ in $(seq 1 300); do grep -q 'listening on' "$W/serve.out" && break; sleep 0.1; done
    BASE=$(grep -o 'http://[0-9.:]*' "$W/serve.out" | head -1)
    [ -n "$BASE" ] || { echo "the server did not start:"; tail -20 "$2"; exit 1; }
}

for engine in $ENGINES; do
    case $engine in
    sqlite) DB=$W/crash.db; rm -f "$DB"* ;;
    pg) psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS crash_load WITH (FORCE)" -c "CREATE DATABASE crash_load" > /dev/null
        DB=$PG/crash_load ;;
    *) echo "ENGINES: sqlite or pg, not $engine" >&2; exit 2 ;;
    esac
    bench/server/prepare.sh "$A" "$W/draw" examples/luquan/villages.csv "$DB" "$W/clients.tsv" $((CLIENTS + PHOTO_CLIENTS))
    head -n "$CLIENTS" "$W/clients.tsv" > "$W/records-clients.tsv"
    tail -n "$PHOTO_CLIENTS" "$W/clients.tsv" > "$W/photo-clients.tsv"
    ACKS=$W/$engine.acks
    : > "$ACKS"
    : > "$W/$engine.serve.log"
    echo "== $engine: $ROUNDS rounds, $CLIENTS record clients and $PHOTO_CLIENTS photo clients, SIGKILL at a random moment"
    for round in $(seq 1 "$ROUNDS"); do
        start_server "$DB" "$W/$engine.serve.log"
        before=$(wc -l < "$ACKS")
        $L run --base "$BASE" --clients "$W/records-clients.tsv" --kind records --seconds 5 \
            --batch 40 --acks "$ACKS" > "$W/load.out" 2>&1 &
        records_pid=$!
        $L run --base "$BASE" --clients "$W/photo-clients.tsv" --kind photos --seconds 5 \
            --photo 1600x1200 --acks "$ACKS" > "$W/photos.out" 2>&1 &
        photos_pid=$!
        ms=$((500 + RANDOM % 3000))
        sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
        kill -9 "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
        # The clients have nothing more to be answered: stop them (a line cut short is not an
        # acknowledgement and is ignored).
        kill "$records_pid" "$photos_pid" 2>/dev/null || true
        wait "$records_pid" "$photos_pid" 2>/dev/null || true
        start_server "$DB" "$W/$engine.serve.log"
        health=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/v1/health" || true)
        kill -TERM "$SERVER_PID"
        wait "$SERVER_PID" || { echo "round $round: the restarted server exited with $?"; exit 1; }
        [ "$health" = 200 ] || { echo "round $round: the restarted server answered $health"; exit 1; }
        new=$(( $(wc -l < "$ACKS") - before ))
        verified=$($L verify --db "$DB" --acks "$ACKS") || { echo "round $round ($engine): $verified"; exit 1; }
        audit="not in this build"
        if [ -n "$HAVE_AUDIT" ]; then
            if $A audit verify --db "$DB" > "$W/audit.out" 2>&1; then audit=intact
            else echo "round $round ($engine): audit verify failed:"; cat "$W/audit.out"; exit 1; fi
        fi
        printf 'round %2d/%d %-6s killed after %5d ms: %5d new acknowledgements; %s; audit %s\n' \
            "$round" "$ROUNDS" "$engine" "$ms" "$new" "$(head -1 <<< "$verified")" "$audit"
    done
done
echo "== every round passed"
