#!/usr/bin/env bash
# The main job on bundled data: Luquan county's register → plan check → sealed draw → verify.
set -euo pipefail
cd "$(dirname "$0")/.."
R=examples/luquan/register.csv
V=examples/luquan/villages.csv
P=sample-plans/luquan-530128.toml
SEED=35216645123362514246            # 20 dice rolls, read out in public after plan and register were fixed
HSEED=61524433251646152433           # the team's own second draw
OUT=${1:-out/luquan-draw-$(date +%Y%m%d-%H%M%S)}

cargo build --release --quiet
A=target/release/assess
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
$A import-sample "$OUT" --db "$OUT.db"
$A draws --db "$OUT.db"
