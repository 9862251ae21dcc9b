#!/usr/bin/env bash
# `assess simulate-visits` at 400,000 households (issue 13 part 3): a census-shaped draw (every
# household of a synthetic province's counties) is visited in simulation, timed against the
# budget, and, when BASELINE names an older assess binary, against it on the same draw.
#   HOUSEHOLDS  households of the synthetic register (default 400000)
#   BUDGET_S    the time budget in seconds (default 60)
#   ASSESS      the binary to measure (default: cargo build --release)
#   BASELINE    an older binary to compare with (optional; e.g. before the linear schedule)
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/common.sh
assess_given
HOUSEHOLDS=${HOUSEHOLDS:-400000}
BUDGET_S=${BUDGET_S:-60}
W=bench/work/visits
mkdir -p "$W"
assess_binary

if [ ! -f "$W/register-$HOUSEHOLDS.csv" ]; then
    echo "== synthetic register: $HOUSEHOLDS households in the counties of Yunnan (53)"
    "$ASSESS" synth --province 53 --all-counties-of-province --households "$HOUSEHOLDS" --seed 1 \
        --out "$W/register-$HOUSEHOLDS.csv" --villages "$W/villages-$HOUSEHOLDS.csv" \
        --truth "$W/truth-$HOUSEHOLDS.csv" >/dev/null
fi
rm -rf "$W/draw"
"$ASSESS" draw --plan bench/visits/census.toml --frame "$W/register-$HOUSEHOLDS.csv" \
    --villages "$W/villages-$HOUSEHOLDS.csv" --seed 1234567890123456789012345 --out "$W/draw" >/dev/null 2>&1
rows=$(($(wc -l < "$W/draw/sample.csv") - 1))
villages=$(($(wc -l < "$W/draw/sample_villages.csv") - 1))
echo "draw: $rows households in $villages villages"

run() {
    local bin=$1 name=$2
    local t0 t1
    t0=$(date +%s.%N)
    "$bin" simulate-visits --draw "$W/draw" --register "$W/register-$HOUSEHOLDS.csv" \
        --truth "$W/truth-$HOUSEHOLDS.csv" --seed 7 --out "$W/visits-$name.jsonl" >/dev/null
    t1=$(date +%s.%N)
    echo "$name $(echo "$t1 - $t0" | bc)"
}

echo
printf '%-10s %10s\n' binary seconds
line=$(run "$ASSESS" assess); set -- $line; secs=$2
printf '%-10s %10.1f\n' assess "$secs"
if [ -n "${BASELINE:-}" ]; then
    line=$(run "$BASELINE" baseline); set -- $line
    printf '%-10s %10.1f\n' baseline "$2"
    cmp -s "$W/visits-assess.jsonl" "$W/visits-baseline.jsonl" && echo "same records: yes" || echo "same records: NO"
fi
if [ "$(echo "$secs > $BUDGET_S" | bc)" = 1 ]; then
    echo "over the budget of $BUDGET_S s" >&2
    exit 1
fi
echo "within the budget of $BUDGET_S s"
