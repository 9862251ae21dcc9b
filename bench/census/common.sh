# Sourced by bench/census/run.sh and national.sh, after W is set: W made absolute, the binary
# built (bench/common.sh), DuckDB installed.
mkdir -p "$W"
W=$(cd "$W" && pwd)
assess_binary
python3 -c 'import duckdb' 2>/dev/null || pip install --quiet duckdb

# timed NAME CMD...: GNU time's wall, user+sys CPU and peak RSS into $W/time-NAME, the
# command's output into $W/out-NAME.txt, the page cache dropped first (when root may).
timed() {
    local name=$1; shift
    sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
    /usr/bin/time -f "%e %U %S %M" -o "$W/time-$name" "$@" > "$W/out-$name.txt" 2>&1 \
        || { cat "$W/out-$name.txt" >&2; exit 1; }
    read -r wall user sys rss < "$W/time-$name"
    printf '%-34s wall %8.1f s  cpu %8.1f s  peak %6.0f MB\n' "$name" "$wall" \
        "$(echo "$user + $sys" | bc)" "$(echo "$rss / 1024" | bc)"
}

# census_queries: coverage, quality and tables on $W/store (its register loaded), each
# against DuckDB computing the same numbers on the same Parquet files (bench/census/duck.py),
# checked equal, and against DuckDB's bare query by county (a lower bound).
census_queries() {
    rm -rf "$W/coverage" "$W/quality" "$W/tables" "$W/duck-coverage" "$W/duck-tables"
    timed "assess census coverage" "$ASSESS" census coverage --store "$W/store" --out "$W/coverage"
    timed "duckdb coverage" python3 bench/census/duck.py coverage "$W/store" "$W/duck-coverage" "$THREADS"
    python3 bench/census/duck.py compare "$W/coverage" "$W/duck-coverage"
    timed "duckdb coverage-by-county" python3 bench/census/duck.py coverage-by-county "$W/store" "$THREADS"
    timed "assess census quality" "$ASSESS" census quality --store "$W/store" --out "$W/quality"
    timed "assess census tables" "$ASSESS" -v census tables --store "$W/store" \
        --quality-from "$W/quality" --out "$W/tables"
    timed "duckdb tables" python3 bench/census/duck.py tables "$W/store" "$W/duck-tables" "$THREADS"
    python3 bench/census/duck.py compare "$W/tables" "$W/duck-tables"
    timed "duckdb tables-by-county" python3 bench/census/duck.py tables-by-county "$W/store" "$THREADS"
}
