#!/usr/bin/env bash
# `assess verdict --all-counties` over 66 counties (issue 13 part 2): a national plan drawn in
# 66 counties of a synthetic Yunnan register, every household visited in simulation, then the
# batch verdict with its reports timed, and, when BASELINE names an older assess binary,
# the same verdict by it on the same database, with a check that both wrote the same files.
#   HOUSEHOLDS  households of the synthetic register (default 400000)
#   COUNTIES    counties of the batch (default 66)
#   ASSESS      the binary to measure (default: cargo build --release)
#   BASELINE    an older binary to compare with (optional; e.g. before the per-draw reads)
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/common.sh
assess_given
HOUSEHOLDS=${HOUSEHOLDS:-400000}
COUNTIES=${COUNTIES:-66}
V=bench/work/visits
W=bench/work/verdict
mkdir -p "$W" "$V"
assess_binary

if [ ! -f "$V/register-$HOUSEHOLDS.csv" ]; then
    echo "== synthetic register: $HOUSEHOLDS households in the counties of Yunnan (53)"
    "$ASSESS" synth --province 53 --all-counties-of-province --households "$HOUSEHOLDS" --seed 1 \
        --out "$V/register-$HOUSEHOLDS.csv" --villages "$V/villages-$HOUSEHOLDS.csv" \
        --truth "$V/truth-$HOUSEHOLDS.csv" >/dev/null
fi
# The first COUNTIES counties of the register, the national plan applied to them (--county).
counties=$(awk -F, 'NR > 1 { print substr($1, 1, 6) }' "$V/villages-$HOUSEHOLDS.csv" | sort -u | head -"$COUNTIES")
args=()
for c in $counties; do args+=(--county "$c"); done
rm -rf "$W/draw" "$W/assess.db" "$W/visits.jsonl"
"$ASSESS" draw --plan sample-plans/national-all-counties.toml --frame "$V/register-$HOUSEHOLDS.csv" \
    --villages "$V/villages-$HOUSEHOLDS.csv" --seed 1234567890123456789012345 "${args[@]}" \
    --out "$W/draw" >/dev/null 2>&1
"$ASSESS" simulate-visits --draw "$W/draw" --register "$V/register-$HOUSEHOLDS.csv" \
    --truth "$V/truth-$HOUSEHOLDS.csv" --seed 7 --out "$W/visits.jsonl" >/dev/null
"$ASSESS" init --db "$W/assess.db" >/dev/null
"$ASSESS" import-sample "$W/draw" --villages "$V/villages-$HOUSEHOLDS.csv" --db "$W/assess.db" >/dev/null
"$ASSESS" import-records "$W/visits.jsonl" --db "$W/assess.db" >/dev/null
echo "draw: $(($(wc -l < "$W/draw/sample.csv") - 1)) households in $COUNTIES counties, every one visited"

run() {
    local bin=$1 name=$2
    local t0 t1
    rm -rf "$W/verdict-$name"
    t0=$(date +%s.%N)
    # Some counties of the synthetic register are not poverty counties: their region is given.
    "$bin" verdict --db "$W/assess.db" --all-counties --region west --out "$W/verdict-$name" >/dev/null 2>&1 || true
    t1=$(date +%s.%N)
    echo "$name $(echo "$t1 - $t0" | bc)"
}

echo
printf '%-10s %10s %14s\n' binary seconds "s per county"
line=$(run "$ASSESS" assess); set -- $line
printf '%-10s %10.1f %14.3f\n' assess "$2" "$(echo "$2 / $COUNTIES" | bc -l)"
if [ -n "${BASELINE:-}" ]; then
    line=$(run "$BASELINE" baseline); set -- $line
    printf '%-10s %10.1f %14.3f\n' baseline "$2" "$(echo "$2 / $COUNTIES" | bc -l)"
    # The decisions and numbers must not change (a newer binary may add fields and sections).
    if python3 - "$W/verdict-assess" "$W/verdict-baseline" <<'PY'
import json, os, sys
a, b = sys.argv[1], sys.argv[2]
counties = sorted(d for d in os.listdir(b) if d.isdigit())
assert counties == sorted(d for d in os.listdir(a) if d.isdigit()), "other counties"
for c in counties:
    va, vb = (json.load(open(os.path.join(x, c, "verdict.json"))) for x in (a, b))
    for key in ("decision", "indicators", "counts", "failing_households"):
        assert va[key] == vb[key], (c, key)
print(f"{len(counties)} counties")
PY
    then
        echo "same decisions, indicators, counts and failing households: yes"
    else
        echo "same decisions, indicators, counts and failing households: NO"
    fi
fi
fi
