#!/usr/bin/env bash
# The census main job on bundled data: a SYNTHETIC census of three counties (made by
# `assess synth` from the bundled division and county data, with planted faults and a truth
# file) → the census store (Parquet by province and county) → coverage and follow-up lists →
# quality checks → register cross-checks (the Mashan lesson) → post-enumeration survey
# (re-interviews SIMULATED) → the national, provincial and county tables (XLSX, HTML map,
# Parquet), whose path it prints. docs/census.md describes every step.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/census-$(date +%Y%m%d-%H%M%S)}
COUNTIES=530128,530129,522728                 # Luquan and Xundian (Yunnan), Luodian (Guizhou)
PES_SEED=4152361526341562341625143            # 25 dice rolls, read out in public after the census closed

# ASSESS names an installed assess (a path, or a name on PATH); without it the script builds one.
if [ -n "${ASSESS:-}" ]; then
    A=$(command -v "$ASSESS" || true)
    [ -n "$A" ] && [ -x "$A" ] || { echo "ASSESS=$ASSESS: no such executable" >&2; exit 1; }
else
    cargo build --release --quiet
    A=${CARGO_TARGET_DIR:-target}/release/assess
fi
mkdir -p "$OUT"
echo "== 1. a SYNTHETIC census of three counties, with planted faults (truth in census-truth.csv)"
$A synth --county "$COUNTIES" --households 6000 --seed 2020 --out "$OUT/register.csv" \
    --truth "$OUT/truth.csv" --census-out "$OUT/returns.csv" --census-format csv \
    --census-truth "$OUT/census-truth.csv" --census-registries "$OUT/registries"
echo; echo "== 2. the returns judged and stored, with the register (the census store: Parquet)"
$A census ingest --store "$OUT/store" --register "$OUT/register.csv" "$OUT/returns.csv" \
    --rejects "$OUT/rejects.csv"
echo; echo "== 3. the same file again: nothing is stored twice"
$A census ingest --store "$OUT/store" "$OUT/returns.csv"
echo; echo "== 4. coverage against the register, and the follow-up lists of the missing"
$A census coverage --store "$OUT/store" --out "$OUT/coverage"
echo; echo "== 5. quality checks: per return, per enumerator and village"
$A census quality --store "$OUT/store" --out "$OUT/quality"
echo; echo "== 6. register cross-checks against the vehicle, property, business and payroll registries"
$A census crosscheck --store "$OUT/store" --vehicles "$OUT/registries/vehicles.csv" \
    --property "$OUT/registries/property.csv" --business "$OUT/registries/business.csv" \
    --payroll "$OUT/registries/payroll.csv" --out "$OUT/flagged.csv" --xlsx "$OUT/flagged.xlsx"
echo; echo "== 7. post-enumeration survey: the draw, re-interviews SIMULATED, the error rates"
$A census pes draw --store "$OUT/store" --seed "$PES_SEED" --per-county 100 --out "$OUT/pes-sample.csv"
$A census pes simulate --returns "$OUT/returns.csv" --sample "$OUT/pes-sample.csv" --rate 0.03 \
    --seed 7 --out "$OUT/reinterviews.jsonl" --truth "$OUT/pes-truth.csv"
$A census pes estimate --store "$OUT/store" --seed "$PES_SEED" --per-county 100 \
    --reinterviews "$OUT/reinterviews.jsonl" --out "$OUT/pes.csv" --json "$OUT/pes.json"
echo; echo "== 8. the tables: XLSX for officials, an HTML summary with maps, Parquet, JSON"
$A census tables --store "$OUT/store" --out "$OUT/tables"
echo; echo "the summary: $OUT/tables/summary.html"
