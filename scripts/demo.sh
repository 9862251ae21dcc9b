#!/usr/bin/env bash
# The main job on bundled data: Luquan county's register → plan check → sealed draw → verify →
# survey database → field visits (SIMULATED from the synthetic truth) → checks → verdict and
# its reports (HTML, Markdown, XLSX, JSON), whose path it prints.
set -euo pipefail
cd "$(dirname "$0")/.."
R=examples/luquan/register.csv
V=examples/luquan/villages.csv
T=examples/luquan/truth.csv          # the synthetic households' true situation (for simulation only)
P=sample-plans/luquan-530128.toml
SEED=3521664512336251424661524            # 25 dice rolls (65 bits), read out in public after plan and register were fixed
HSEED=6152443325164615243335216           # the team's own second draw
OUT=${1:-out/luquan-draw-$(date +%Y%m%d-%H%M%S)}

# ASSESS names an installed assess (a path, or a name on PATH, e.g. ASSESS=assess after
# `cargo install --path .`); without it the script builds one.
if [ -n "${ASSESS:-}" ]; then
    A=$(command -v "$ASSESS" || true)
    [ -n "$A" ] && [ -x "$A" ] || { echo "ASSESS=$ASSESS: no such executable" >&2; exit 1; }
else
    cargo build --release --quiet
    A=${CARGO_TARGET_DIR:-target}/release/assess
fi
echo "== 1. the register"; $A frame check "$R" --villages "$V"
echo; echo "== 2. the plan against the register"; $A plan check "$P" --frame "$R" --villages "$V"
echo; echo "== 3. the draw (seeds sealed: only their SHA-256 commitments go into the manifest)"
$A draw --plan "$P" --frame "$R" --villages "$V" --seed "$SEED" --household-seed "$HSEED" --out "$OUT"
echo; echo "== 4. after fieldwork the seeds are published; anyone re-checks the draw"
$A verify "$OUT" --plan "$P" --frame "$R" --villages "$V" --seed "$SEED" --household-seed "$HSEED"
echo; echo "== 5. an independent re-derivation (Python standard library only)"
python3 scripts/verify_sample.py "$R" "$OUT/sample.csv" "$HSEED"
echo; echo "== 6. the draw into the survey database (a SQLite file; no server)"
$A init --db "$OUT.db"
$A import-sample "$OUT" --villages "$V" --db "$OUT.db"
$A draws --db "$OUT.db"
echo; echo "== 7. field visits: SIMULATED from the synthetic truth (labelled as simulated in every record)"
$A simulate-visits --draw "$OUT" --register "$R" --truth "$T" --seed 20200612 --out "$OUT-visits.jsonl"
$A import-records "$OUT-visits.jsonl" --db "$OUT.db"
echo; echo "== 8. checks across the records (reserve order, times, places, answers)"
$A check --db "$OUT.db" | tail -n 3
echo; echo "== 9. the verdict and its reports"
$A verdict --db "$OUT.db" --county 530128 --out "$OUT-verdict"
