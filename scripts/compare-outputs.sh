#!/usr/bin/env bash
# Shows that two builds of `assess` give the same outputs, byte for byte: the README's main job
# and the other commands' outputs (verdict variants and batches, reports, template, findings,
# photos, estimate on the reference data, sizes, synth, simulate) and their error messages.
#
#   scripts/compare-outputs.sh OLD_BINARY NEW_BINARY [WORKDIR]
#
# Each binary runs the same suite in the same directory (WORKDIR/run, so paths in messages
# match); every command's stdout, stderr and exit code, and every file it writes, are kept in
# WORKDIR/<old|new>, then compared with `diff -r`. The draw's receipt.json holds the time the
# draw was made and is the only file left out. Exit 0 when identical.
#
# Typical use, against the commit a refactoring starts from:
#   git worktree add /tmp/base <commit> && (cd /tmp/base && cargo build --release)
#   cargo build --release
#   scripts/compare-outputs.sh /tmp/base/target/release/assess target/release/assess
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
OLD=$(realpath "$1")
NEW=$(realpath "$2")
WORK=${3:-${TMPDIR:-/tmp}/assess-compare}
rm -rf "$WORK"
mkdir -p "$WORK"

R=$REPO/examples/luquan/register.csv
V=$REPO/examples/luquan/villages.csv
T=$REPO/examples/luquan/truth.csv
P=$REPO/sample-plans/luquan-530128.toml
REF=$REPO/tests/data/reference
SEEDS=(--seed 35216645123362514246 --household-seed 61524433251646152433)

# run NAME ARGS...: runs the binary under test, keeping stdout, stderr and the exit code.
run() {
    local name=$1
    shift
    local code=0
    "$A" "$@" >"$LOG/$name.stdout" 2>"$LOG/$name.stderr" || code=$?
    echo "$code" >"$LOG/$name.code"
}

suite() {
    A=$1
    local dir=$WORK/run
    rm -rf "$dir"
    mkdir -p "$dir/log"
    LOG=$dir/log
    cd "$dir"
    # The main job (README), step by step.
    run frame-check frame check "$R" --villages "$V"
    run plan-check plan check "$P" --frame "$R" --villages "$V"
    for plan in "$REPO"/sample-plans/*.toml; do
        run "plan-check-$(basename "$plan" .toml)" plan check "$plan" --frame "$R" --villages "$V"
    done
    run draw draw --plan "$P" --frame "$R" --villages "$V" "${SEEDS[@]}" --out draw
    rm -f draw/receipt.json
    run verify verify draw --plan "$P" --frame "$R" --villages "$V" "${SEEDS[@]}"
    run init init --db draw.db
    run import-sample import-sample draw --villages "$V" --db draw.db --drawn-at 2020-06-01T08:00:00+08:00
    run import-sample-again import-sample draw --villages "$V" --db draw.db --drawn-at 2020-06-01T08:00:00+08:00
    run draws draws --db draw.db
    run simulate-visits simulate-visits --draw draw --register "$R" --truth "$T" --seed 20200612 \
        --start 2020-06-02T08:30:00+08:00 --out visits.jsonl
    run import-records import-records visits.jsonl --db draw.db
    run import-records-again import-records visits.jsonl --db draw.db
    run records records --db draw.db
    run check check --db draw.db
    run verdict verdict --db draw.db --county 530128 --out verdict
    # Verdict variants.
    run verdict-zh verdict --db draw.db --county 530128 --out verdict-zh --lang zh
    run verdict-wor verdict --db draw.db --county 530128 --out verdict-wor --variance wor \
        --lonely-psu remove
    run verdict-design verdict --db draw.db --county 530128 --out verdict-design \
        --rate-basis design --ci wilson --lonely-psu collapse --confidence 0.9
    run verdict-score verdict --db draw.db --county 530128 --out verdict-score \
        --approval score:0.75 --dont-know not-approving --ci logit
    run verdict-wald verdict --db draw.db --county 530128 --out verdict-wald --ci wald \
        --rural-population 250000 --region west
    run verdict-villages verdict --db draw.db --county 530128 --out verdict-villages \
        --missed-denominator sampled-villages --frame "$R"
    run verdict-batch verdict --db draw.db --all-counties --draw "$(draw_id)" --out verdict-batch
    # Review and appeal, then a verdict before and after.
    local h
    # The first household the verdict lists as failing (it has a finding to review).
    h=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["failing_households"][0]["household_id"])' verdict/verdict.json)
    echo "minutes of the night review" >evidence.txt
    run finding-review finding review --db draw.db --draw "$(draw_id)" --household "$h" \
        --by "Li (team leader)" --reason "checked again" --decision upheld --at 2020-06-12T21:30:00+08:00
    run finding-contest finding contest --db draw.db --draw "$(draw_id)" --household "$h" \
        --by "county office" --reason "income misread" --evidence evidence.txt --at 2020-06-13T10:00:00+08:00
    run finding-list finding list --db draw.db --draw "$(draw_id)"
    run verdict-both verdict --db draw.db --county 530128 --out verdict-both --appeals both
    # A photo: the small JPEG with EXIF that kamadak-exif (a dependency) ships for its tests.
    local jpg
    jpg=$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -path '*kamadak-exif-*/tests/exif.jpg' 2>/dev/null | head -1)
    if [ -n "$jpg" ]; then
        cp "$jpg" crack.jpg
        run photo-add photo add crack.jpg --db draw.db --draw "$(draw_id)" --household "$h" \
            --from 2020-06-01 --to 2020-06-30
        run photo-list photo list --db draw.db
    fi
    run template template --out template.xlsx --db draw.db --draw "$(draw_id)"
    run template-blank template --out blank.xlsx
    # Estimation on the reference data.
    run est-strat estimate --data "$REF/r-survey/apistrat.csv" --strata stype --weight pw --fpc fpc \
        --mean api00 --total enroll --prop sch.wide --ratio api00/api99 --domain stype
    run est-clus2 estimate --data "$REF/r-survey/apiclus2.csv" --psu dnum --ssu snum --fpc fpc1 \
        --fpc2 fpc2 --mean api00 --total enroll
    run est-nhanes estimate --data "$REF/nhanes2.csv" --strata stratid --psu psuid --weight finalwgt \
        --mean zinc --prop highbp --ci korn-graubard --domain race --format table
    run est-nhanes-prop estimate --data "$REF/nhanes2.csv" --strata stratid --psu psuid \
        --weight finalwgt --prop highbp --prop race --ci korn-graubard --domain region --format table
    run est-pps estimate --data "$REF/r-survey/election_pps.csv" --pps brewer --fpc p \
        --total Bush --total Kerry --sided upper
    run est-table estimate --data "$REF/r-survey/apiclus1.csv" --psu dnum --weight pw --fpc fpc \
        --mean api00 --prop stype --format table --lonely-psu centre --confidence 0.9
    run est-bad estimate --data "$REF/r-survey/apiclus1.csv" --psu nope --weight pw --mean api00
    # Sizes, synth, simulate.
    run size-precision size precision --margin 0.01 --deff 2 --population 20000
    run size-precision-json size precision --margin 0.005 --sided one --json
    run size-pass size pass-rule --bad-rate 0.03 --households 600,1200 --deff 1.5
    run size-pass-json size pass-rule --good-rate 0.01 --json --cluster-size 20 --icc 0.05
    run synth synth --county 530128 --households 3000 --seed 5 --out synth.csv --villages synth-v.csv \
        --truth synth-t.csv --summary-json synth.json
    run synth-province synth --province 52 --households 20000 --seed 6 --out synth-52.csv
    run simulate simulate --plan "$P" --county 530128 --reps 20 --households 20000 --seed 3 \
        --threads 2 --out simulate
    # Refusals.
    run bad-frame frame check "$REPO/README.md"
    run bad-verdict verdict --db draw.db --county 110101 --out nowhere
    run bad-approval verdict --db draw.db --county 530128 --out nowhere --approval score:2
    run bad-records import-records "$REPO/README.md" --db draw.db
    run bad-db draws --db "mysql://x"
    run bad-villages verdict --db draw.db --county 530128 --out nowhere --missed-denominator sampled-villages
    # Times that differ between runs of one build: the simulation's run times and the
    # workbooks' creation time (docProps/core.xml); each workbook is compared part by part.
    if [ -d simulate ]; then
        sed -i -E 's/"(seconds|core_seconds_per_rep)": [0-9.e-]+/"\1": 0/' simulate/simulation.json
        sed -i -E 's/[0-9]+ s of replications, [0-9.]+ core-seconds/T s of replications, C core-seconds/' \
            simulate/simulation.md simulate/simulation.html
        sed -i -E 's/\([0-9]+ s, [0-9.]+ core-seconds/(T s, C core-seconds/' "$LOG/simulate.stdout"
    fi
    local x
    for x in $(find . -name '*.xlsx'); do
        mkdir "$x.parts" && (cd "$x.parts" && unzip -q ../"$(basename "$x")" && rm -f docProps/core.xml)
        rm "$x"
    done
    # Times of import ("now") in listings.
    local today
    today=$(date -u +%Y-%m-%d)
    grep -rlI "${today}T" . | xargs -r sed -i -E "s/${today}T[0-9:.]+Z/NOW/g"
    # Binary database files differ in layout between runs; what they hold is listed above.
    rm -f draw.db draw.db-* *.tmp
    cd "$REPO"
}

draw_id() {
    sha256sum draw/sample.csv | cut -d' ' -f1
}

suite "$OLD"
mv "$WORK/run" "$WORK/old"
suite "$NEW"
mv "$WORK/run" "$WORK/new"
# Names of the run directory appear in messages; both ran in WORK/run.
if diff -r "$WORK/old" "$WORK/new"; then
    echo "identical: $(find "$WORK/new" -type f | wc -l) files (stdout, stderr, exit codes, outputs)"
else
    echo "DIFFERENT (see above; both runs kept in $WORK)" >&2
    exit 1
fi
