#!/usr/bin/env bash
# The field server on the bundled Luquan data, with one command: the main job (scripts/demo.sh)
# makes the database; a coordinator and two interviewers (one pair, team LQ-1) get accounts;
# the team is assigned the county and the pair its sampled villages (assess assign villages);
# then `assess serve` listens on localhost until Ctrl-C (or SIGTERM), finishing the requests
# in flight. The tokens are written to OUT/tokens.txt (readable by you only) and printed.
#
#   scripts/serve.sh [ADDR]        # default 127.0.0.1:8080
#
# The database holds the simulated records of the main job: pull them as an interviewer with
#   ASSESS_TOKEN=... assess pull --server http://127.0.0.1:8080 --out mine.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
ADDR=${1:-127.0.0.1:8080}
OUT=out/serve
V=examples/luquan/villages.csv

if [ -n "${ASSESS:-}" ]; then
    A=$(command -v "$ASSESS")
else
    cargo build --release --quiet
    A=${CARGO_TARGET_DIR:-target}/release/assess
fi
export ASSESS="$A"

rm -rf "$OUT"
mkdir -p "$OUT"
echo "== the main job makes the database"
scripts/demo.sh "$OUT/luquan" > "$OUT/demo.log"
DB="$OUT/luquan.db"

echo "== accounts (tokens are shown once and stored only as hashes)"
umask 077
{
    echo "coordinator $($A user add coordinator --role coordinator --db "$DB" 2>/dev/null)"
    echo "interviewer-1 $($A user add interviewer-1 --role interviewer --team LQ-1 --db "$DB" 2>/dev/null)"
    echo "interviewer-2 $($A user add interviewer-2 --role interviewer --team LQ-1 --db "$DB" 2>/dev/null)"
} > "$OUT/tokens.txt"
umask 022
cat "$OUT/tokens.txt"

echo "== assignments: the county to team LQ-1 (a third-party team from Beijing), its villages to the pair"
printf 'county,county_name,team,team_province,distance_km\n530128,禄劝彝族苗族自治县,LQ-1,11,2100\n' > "$OUT/counties.csv"
printf 'pair,interviewer_1,interviewer_2\nP1,interviewer-1,interviewer-2\n' > "$OUT/pairs.csv"
$A assign villages --draw "$OUT/luquan" --pairs "$OUT/pairs.csv" --villages "$V" --out "$OUT/split.csv" > /dev/null
$A assignment load --db "$DB" --counties "$OUT/counties.csv" --villages "$OUT/split.csv"

echo "== the server (Ctrl-C stops it after the requests in flight)"
exec $A serve --db "$DB" --listen "$ADDR"
