#!/usr/bin/env bash
# Estimation at census scale: `assess estimate` against samplics on the same file.
# Results go into docs/benchmarks.md ("Estimation at census scale") and docs/estimation.md.
#
#   bench/estimate/run.sh        # 1,000,000 households, 60 counties, 3 repeats
#   HOUSEHOLDS=100000 COUNTIES=20 REPEATS=1 WORK=/tmp/est bench/estimate/run.sh
#   ASSESS=/path/to/assess bench/estimate/run.sh   # a given build, no cargo build
#
# 1. generates $WORK/survey-N-C.csv with bench/estimate/estimate_gen.py (once);
# 2. builds assess (release), unless ASSESS is given;
# 3. REPEATS times, back to back: `assess estimate` with every indicator by county in one run,
#    then bench/estimate/estimate_samplics.py (the same estimates with samplics'
#    TaylorEstimator, domain = county), each under /usr/bin/time -v (wall clock, peak RSS),
#    each end to end from the CSV; then bench/estimate/estimate_compare.py on the two outputs;
# 4. prints the medians and writes $WORK/summary.json.
#
# Environment: HOUSEHOLDS (default 1000000), COUNTIES (default 60), REPEATS (default 3),
# WORK (work dir, default bench/work/estimate; git-ignored), ASSESS (the assess binary to
# measure; without it, `cargo build --release --bin assess` and target/release/assess),
# PYTHON (see below).
#
# Python: a virtual environment in bench/work/venv-estimate with samplics (version printed),
# polars and numpy, made on first use (override with PYTHON=...).
set -euo pipefail
. "$(dirname "$0")/../common.sh"
assess_given
cd "$(dirname "$0")/../.."

HOUSEHOLDS=${HOUSEHOLDS:-1000000}
COUNTIES=${COUNTIES:-60}
REPEATS=${REPEATS:-3}
WORK=${WORK:-bench/work/estimate}
mkdir -p "$WORK"

if [ -z "${PYTHON:-}" ]; then
    VENV=bench/work/venv-estimate
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q samplics polars numpy
    fi
    PYTHON=$VENV/bin/python
fi

DATA=$WORK/survey-$HOUSEHOLDS-$COUNTIES.csv
if [ ! -s "$DATA" ]; then
    "$PYTHON" bench/estimate/estimate_gen.py "$DATA" --households "$HOUSEHOLDS" --counties "$COUNTIES"
fi

assess_binary

ANALYSES=(--ratio wrong_exit_people/exited_people --ratio missed_people/nonreg_people
    --mean approving,exited,nonreg --prop approving --total people)

echo "machine: $(nproc) cores; $(uptime)"
echo "samplics $("$PYTHON" -c 'from importlib.metadata import version; print(version("samplics"))')"
echo "command: $ASSESS estimate --data $DATA --weight weight --strata stratum --psu village" \
    "--domain county ${ANALYSES[*]}"

for r in $(seq 1 "$REPEATS"); do
    echo "run $r: load $(cut -d' ' -f1-3 /proc/loadavg)"
    /usr/bin/time -v "$ASSESS" estimate --data "$DATA" --weight weight --strata stratum \
        --psu village --domain county "${ANALYSES[@]}" \
        > "$WORK/assess-$r.json" 2> "$WORK/assess-$r.time"
    /usr/bin/time -v "$PYTHON" bench/estimate/estimate_samplics.py "$DATA" "$WORK/samplics-$r.json" \
        2> "$WORK/samplics-$r.time"
    "$PYTHON" bench/estimate/estimate_compare.py "$WORK/assess-$r.json" "$WORK/samplics-$r.json" \
        > "$WORK/compare-$r.json"
    cat "$WORK/compare-$r.json"
done

"$PYTHON" - "$WORK" "$REPEATS" "$DATA" <<'EOF'
import json, re, statistics, sys

work, repeats, data = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def timing(path):
    text = open(path).read()
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
    parts = [float(p) for p in m.group(1).split(":")]
    wall = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    cpu = sum(float(re.search(rf"{k} time \(seconds\): (\S+)", text).group(1))
              for k in ("User", "System"))
    return wall, cpu, rss / 1024

runs = range(1, repeats + 1)
a = [timing(f"{work}/assess-{r}.time") for r in runs]
s = [timing(f"{work}/samplics-{r}.time") for r in runs]
c = [json.load(open(f"{work}/compare-{r}.json")) for r in runs]
out = json.load(open(f"{work}/assess-1.json"))
sam = json.load(open(f"{work}/samplics-1.json"))
med = lambda xs: statistics.median(xs)
# samplics over assess; None when assess's median rounds to 0 s (a tiny file)
ratio = lambda s, a: med(s) / med(a) if med(a) > 0 else None
summary = {
    "data": data,
    "rows": out["rows"],
    "domains": len({r["domain_level"] for r in out["results"]}),
    "strata": out["design"]["strata_count"],
    "psus": out["design"]["psu_count"],
    "estimates": len(out["results"]),
    "samplics": sam["samplics"],
    "assess_wall_s": [x[0] for x in a], "assess_cpu_s": [x[1] for x in a],
    "assess_rss_mib": [x[2] for x in a],
    "samplics_wall_s": [x[0] for x in s], "samplics_cpu_s": [x[1] for x in s],
    "samplics_rss_mib": [x[2] for x in s],
    "samplics_seconds_by_analysis": sam["seconds"],
    "median_wall_ratio": ratio([y[0] for y in s], [x[0] for x in a]),
    "median_cpu_ratio": ratio([y[1] for y in s], [x[1] for x in a]),
    "max_rel_diff_estimate": max(x["max_rel_diff_estimate"] for x in c),
    "max_rel_diff_se": max(x["max_rel_diff_se"] for x in c),
    "max_rel_diff_ci_at_samplics_df": max(x["max_rel_diff_ci_at_samplics_df"] for x in c),
    "max_rel_diff_ci": max(x["max_rel_diff_ci"] for x in c),
}
json.dump(summary, open(f"{work}/summary.json", "w"), indent=1)
print(json.dumps(summary, indent=1))
print(f"| | wall (median of {repeats}) | CPU | peak RSS |")
print("| --- | --- | --- | --- |")
for name, xs in (("assess", a), ("samplics", s)):
    print(f"| {name} | {med([x[0] for x in xs]):.2f} s | {med([x[1] for x in xs]):.2f} s "
          f"| {med([x[2] for x in xs]):.0f} MiB |")
EOF
