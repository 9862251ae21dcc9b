#!/usr/bin/env bash
# Benchmark: `assess draw` of the national plan on a synthetic register, side by side with
# the same draw in DuckDB SQL (bench/draw/duckdb_draw.py); asserts identical selections and
# prints a table of wall time and peak memory (GNU time's "Maximum resident set size").
# Results go into docs/benchmarks.md.
#
#   bench/draw/run.sh                 # 1M and 30M households (data generated once, then reused)
#   SIZES=1000000 bench/draw/run.sh   # only the 1M run
#   ASSESS=/path/to/assess SIZES=1000000 bench/draw/run.sh   # a given build, no cargo build
#
# Environment: SIZES (households, space-separated), SEED / HOUSEHOLD_SEED (draw seeds),
# SYNTH_SEED, REPEATS (timed runs of each side per size, default 1), THREADS (DuckDB threads,
# default: DuckDB's own, one per core), ASSESS (the assess binary to measure; without it,
# `cargo build --release` and target/release/assess), W (work dir, default bench/work/draw;
# git-ignored). Work files go to $W/<size>/. Needs GNU time, python3; pip installs duckdb if
# missing.
set -euo pipefail
. "$(dirname "$0")/../common.sh"
assess_given
cd "$(dirname "$0")/../.."

SIZES=${SIZES:-"1000000 30000000"}
SEED=${SEED:-35216645123362514246}
HOUSEHOLD_SEED=${HOUSEHOLD_SEED:-61423513526416231425}
SYNTH_SEED=${SYNTH_SEED:-1}
REPEATS=${REPEATS:-1}
THREADS=${THREADS:-0}
PLAN=sample-plans/national-all-counties.toml
W=${W:-bench/work/draw}
TIME=/usr/bin/time

[ -x "$TIME" ] || { echo "GNU time is needed at $TIME (apt-get install time)" >&2; exit 1; }
assess_binary
echo "== assess: $ASSESS"
python3 -c 'import duckdb' 2>/dev/null || { echo "== pip install duckdb"; python3 -m pip install --quiet duckdb; }
mkdir -p "$W"

label() { # 1000000 -> 1m, 30000000 -> 30m, 200000 -> 200k
    local n=$1
    if (( n % 1000000 == 0 )); then echo "$((n / 1000000))m"; elif (( n % 1000 == 0 )); then echo "$((n / 1000))k"; else echo "$n"; fi
}
wall() { # GNU time's "Elapsed (wall clock) time" in seconds
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.1f", s }' "$1"
}
rss() { # "Maximum resident set size" in MiB
    awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"
}

rows=()
for N in $SIZES; do
    L=$(label "$N")
    D=$W/$L
    mkdir -p "$D"
    if [ ! -s "$D/register.csv" ] || [ ! -s "$D/villages.csv" ]; then
        echo "== [$L] assess synth: $N households"
        rm -f "$D/register.csv" "$D/villages.csv"
        $TIME -v -o "$D/synth.time" "$ASSESS" synth --poverty-counties --households "$N" --seed "$SYNTH_SEED" \
            --out "$D/register.csv" --villages "$D/villages.csv" > "$D/synth.log" 2>&1 \
            || { cat "$D/synth.log" >&2; rm -f "$D/register.csv" "$D/villages.csv"; exit 1; }
    fi
    size=$(du -m "$D/register.csv" | cut -f1)
    # The national plan applies to every county; strata with fewer villages than asked are
    # taken whole (if_short = "take_all"), which both sides implement.
    BPLAN=$PLAN
    kept=$(tail -n +2 "$D/villages.csv" | cut -c1-6 | sort -u | wc -l)
    echo "== [$L] plan: $PLAN on all $kept counties of the register"
    # Both sides read the register from the page cache: warm it once for both.
    cat "$D/register.csv" > /dev/null
    run_assess() {
        echo "== [$L] run $r: assess draw"
        rm -rf "$D/draw-assess"
        $TIME -v -o "$D/assess.$r.time" "$ASSESS" draw --plan "$BPLAN" --frame "$D/register.csv" --villages "$D/villages.csv" \
            --seed "$SEED" --household-seed "$HOUSEHOLD_SEED" --out "$D/draw-assess" > "$D/assess.$r.log" 2>&1 \
            || { cat "$D/assess.$r.log" >&2; exit 1; }
    }
    run_duckdb() {
        echo "== [$L] run $r: duckdb draw"
        rm -f "$D/draw-duckdb.csv"
        $TIME -v -o "$D/duckdb.$r.time" python3 bench/draw/duckdb_draw.py draw --plan "$BPLAN" --frame "$D/register.csv" \
            --villages "$D/villages.csv" --seed "$SEED" --household-seed "$HOUSEHOLD_SEED" --threads "$THREADS" \
            --out "$D/draw-duckdb.csv" > "$D/duckdb.$r.log" 2>&1 \
            || { cat "$D/duckdb.$r.log" >&2; exit 1; }
    }
    for r in $(seq 1 "$REPEATS"); do
        # Sides take turns to go first: the first run after warming the cache was often the
        # slowest, whichever side it was.
        if (( r % 2 == 1 )); then run_assess; run_duckdb; else run_duckdb; run_assess; fi
        echo "== [$L] run $r: compare"
        python3 bench/draw/duckdb_draw.py compare "$D/draw-duckdb.csv" "$D/draw-assess/sample.csv" | tee "$D/compare.$r.txt"
        rows+=("$L|$N|$size|$kept|$r|$(wall "$D/assess.$r.time")|$(rss "$D/assess.$r.time")|$(wall "$D/duckdb.$r.time")|$(rss "$D/duckdb.$r.time")|$(grep -c . "$D/draw-assess/sample.csv")")
    done
    [ -f "$D/synth.time" ] && rows+=("$L|$N|$size|$kept|synth|$(wall "$D/synth.time")|$(rss "$D/synth.time")|||")
done

echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB RAM"
echo "versions: $("$ASSESS" --version 2>/dev/null || echo assess), $(rustc --version), duckdb $(python3 -c 'import duckdb; print(duckdb.__version__)')"
printf '%-5s %11s %8s %8s %6s | %10s %11s | %10s %11s | %s\n' size households "CSV MiB" counties run "assess s" "assess MiB" "duckdb s" "duckdb MiB" "sample rows"
for row in "${rows[@]}"; do
    IFS='|' read -r L N size kept r aw ar dw dr n <<< "$row"
    if [ "$r" = synth ]; then
        printf '%-5s %11s %8s %8s %6s | %10s %11s | %10s %11s | %s\n' "$L" "$N" "$size" "" synth "$aw" "$ar" "" "" "(data generation)"
    else
        printf '%-5s %11s %8s %8s %6s | %10s %11s | %10s %11s | %s\n' "$L" "$N" "$size" "$kept" "$r" "$aw" "$ar" "$dw" "$dr" "$((n - 1))"
    fi
done
echo "target: assess no slower than DuckDB and under 2048 MiB peak"
