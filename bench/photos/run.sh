#!/usr/bin/env bash
# Benchmark: 12-megapixel JPEG crack photos ingested per second, side by side in the same run
# with Pillow's draft-mode thumbnail on the same files (issue 14 section 1: target >= 1.5x).
#
# Sides (each timed by GNU time: wall, CPU, peak memory):
#   assess.photo_add        `assess photo add`, one process per photo as a user runs it
#                           (release build; SHA-256, checks, DCT-scaled decode, EXIF,
#                           thumbnail, boundary and date checks, stored in SQLite);
#   assess.photo_add_batch  `assess photo add` once with all the photos (--jobs $JOBS);
#   lib.batch1, lib.batch2  the library path the field server takes, in one process
#                           (bench/photos/photo-stages batch: files read into memory,
#                           `assess_photo::ingest_many` on 1 and 2 threads, each GPS fix
#                           checked against the county boundary parsed once); no database;
#   pillow.draft            bench/photos/photos_pillow.py draft: SHA-256, EXIF,
#                           Image.draft + Image.thumbnail, JPEG encode (DCT-scaled decode);
#   pillow.full             the same with a full-resolution decode first;
#   stages.ingest           photo-stages stages: each step of our ingest timed one by one.
# Results go into docs/benchmarks.md ("Inspection records and photos").
#
#   bench/photos/run.sh                  # 30 photos, 3 repeats
#   PHOTOS=10 REPEATS=1 bench/photos/run.sh
#   ASSESS=/path/to/assess STAGES_BIN=/path/to/photo-stages bench/photos/run.sh   # given builds
#
# Data (made once under $W): PHOTOS 4000 x 3000 JPEGs with EXIF time and GPS near Luquan
# (bench/photos/photos_gen.py, Pillow; about 4 MB each); the bundled Luquan register drawn with
# sample-plans/luquan-530128.toml (seeds of scripts/demo.sh) into a template SQLite database.
# Photo i is added to household i of the draw's sample, with --from/--to for the date check.
#
# Environment: PHOTOS (default 30), REPEATS (default 3), JOBS (threads of the batch command,
# default 2), ASSESS (the assess binary to measure; without it, `cargo build --release` and
# target/release/assess), STAGES_TARGET (cargo target dir for bench/photos/photo-stages,
# default target/), STAGES_BIN (a prebuilt photo-stages binary), W (work dir, default
# bench/work/photos; git-ignored). Needs GNU time and python3; Pillow is taken from python3
# when it has it, else installed with pip into a venv at bench/work/venv-photos. Prints
# medians of the repeats and each side's ratio to pillow.draft; every run is in $W/results.tsv.
set -euo pipefail
. "$(dirname "$0")/../common.sh"
assess_given
[ -z "${STAGES_BIN:-}" ] || STAGES_BIN=$(realpath "$STAGES_BIN")
cd "$(dirname "$0")/../.."
ROOT=$PWD

PHOTOS=${PHOTOS:-30}
REPEATS=${REPEATS:-3}
JOBS=${JOBS:-2}
W=${W:-bench/work/photos}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "GNU time is needed at $TIME (apt-get install time)" >&2; exit 1; }
mkdir -p "$W/runs"
W=$(cd "$W" && pwd)
assess_binary
cp "$ASSESS" "$W/assess"
A=$W/assess
PY=python3
if ! $PY -c 'import PIL' 2>/dev/null; then
    PY=$ROOT/bench/work/venv-photos/bin/python
    if ! [ -x "$PY" ] || ! $PY -c 'import PIL' 2>/dev/null; then
        echo "== pip install pillow into bench/work/venv-photos"
        python3 -m venv "$ROOT/bench/work/venv-photos"
        $PY -m pip install --quiet pillow
    fi
fi

# ---- data -----------------------------------------------------------------------------------
n_have=$(ls "$W"/img/photo-*.jpg 2>/dev/null | wc -l || true)   # ls fails (pipefail) before the first run
if [ "$n_have" -lt "$PHOTOS" ]; then
    echo "== generating $PHOTOS photos (4000 x 3000)"
    $PY bench/photos/photos_gen.py "$W/img" "$PHOTOS"
fi
FILES=()
for i in $(seq 1 "$PHOTOS"); do FILES+=("$W/img/$(printf 'photo-%03d.jpg' "$i")"); done
if [ ! -s "$W/template.db" ]; then
    echo "== Luquan draw into a template SQLite database"
    rm -rf "$W/draw"
    $A draw --plan sample-plans/luquan-530128.toml --frame examples/luquan/register.csv \
        --villages examples/luquan/villages.csv --seed 3521664512336251424661524 \
        --household-seed 6152443325164615243335216 --out "$W/draw" > "$W/draw.log" 2>&1
    $A init --db "$W/template.db" > /dev/null
    $A import-sample "$W/draw" --db "$W/template.db" > /dev/null
    python3 -c 'import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA wal_checkpoint(TRUNCATE)")' "$W/template.db"
fi
DRAW=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sample_sha256"])' "$W/draw/manifest.json")
mapfile -t HH < <(tail -n +2 "$W/draw/sample.csv" | cut -d, -f1 | head -n "$PHOTOS")
# The loop `assess photo add` runs in, one process per photo as a user would.
cat > "$W/add-all.sh" <<EOF
#!/usr/bin/env bash
set -e
EOF
for i in $(seq 0 $((PHOTOS - 1))); do
    echo "$A photo add ${FILES[$i]} --db \$1 --draw $DRAW --household ${HH[$i]} --from 2020-06-01 --to 2020-06-30" >> "$W/add-all.sh"
done
chmod +x "$W/add-all.sh"
# The same photos in one `assess photo add`, each with its household.
{ echo '#!/usr/bin/env bash'; printf '%s' "exec $A photo add"; printf ' %s' "${FILES[@]}"
  printf ' --db "$1" --draw %s --from 2020-06-01 --to 2020-06-30 --jobs %s' "$DRAW" "$JOBS"
  for i in $(seq 0 $((PHOTOS - 1))); do printf ' --household %s' "${HH[$i]}"; done; echo; } > "$W/add-batch.sh"
chmod +x "$W/add-batch.sh"

if [ -n "${STAGES_BIN:-}" ]; then
    cp "$STAGES_BIN" "$W/photo-stages"
else
    echo "== build bench/photos/photo-stages"
    cp Cargo.lock bench/photos/photo-stages/Cargo.lock
    CARGO_TARGET_DIR=${STAGES_TARGET:-$ROOT/target} cargo build --release --quiet \
        --manifest-path bench/photos/photo-stages/Cargo.toml
    rm -f bench/photos/photo-stages/Cargo.lock
    cp "${STAGES_TARGET:-$ROOT/target}/release/photo-stages" "$W/photo-stages"
fi
STAGES=$W/photo-stages

# ---- runs -------------------------------------------------------------------------------------
wall() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$1"; }
rss() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }
cpu() { awk -F': ' '/Percent of CPU/ { sub("%", "", $2); print $2 }' "$1"; }
cpus() { awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$1"; }  # user + system CPU seconds
timed() {
    local name=$1; shift
    local base="$W/runs/$name.$r"
    $TIME -v -o "$base.time" "$@" > "$base.log" 2>&1 || { cat "$base.log" >&2; exit 1; }
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$r" "$(wall "$base.time")" "$(rss "$base.time")" "$(cpu "$base.time")" "$(cpus "$base.time")" >> "$W/results.tsv"
    printf '   %-26s %8ss %6s MiB %5s CPU %8s CPU-s\n' "$name" "$(wall "$base.time")" "$(rss "$base.time")" "$(cpu "$base.time")" "$(cpus "$base.time")"
}
: > "$W/results.tsv"
{ echo "date: $(date -u +%FT%TZ)"; echo "checkout: $(git rev-parse HEAD 2>/dev/null || echo unknown); binary: ${ASSESS} ($(date -u -r "$ASSESS" +%FT%TZ))"
  echo "assess: $($A --version)"; echo "python: $PY, $($PY --version)"
  $PY -c 'import PIL; print("Pillow", PIL.__version__)'
  $PY -c 'from PIL import features; print("libjpeg-turbo:", features.version("libjpeg_turbo"))'
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
  echo "photos: $PHOTOS, $(du -cm "${FILES[@]}" | tail -1 | cut -f1) MiB"; } > "$W/versions.txt"
cat "$W/versions.txt"
cat "${FILES[@]}" > /dev/null   # page cache, for every side
echo "== $(uptime | sed 's/.*load/load/')"; uptime >> "$W/uptime.txt"
for r in $(seq 1 "$REPEATS"); do
    echo " run $r"
    rm -f "$W/run.db" "$W/run.db-wal" "$W/run.db-shm"; cp "$W/template.db" "$W/run.db"
    timed assess.photo_add "$W/add-all.sh" "$W/run.db"
    [ "$(grep -c ' stored;' "$W/runs/assess.photo_add.$r.log")" = "$PHOTOS" ] \
        || { echo "not every photo was stored" >&2; cat "$W/runs/assess.photo_add.$r.log" >&2; exit 1; }
    rm -f "$W/run.db" "$W/run.db-wal" "$W/run.db-shm"; cp "$W/template.db" "$W/run.db"
    timed assess.photo_add_batch "$W/add-batch.sh" "$W/run.db"
    [ "$(grep -c ' stored;' "$W/runs/assess.photo_add_batch.$r.log")" = "$PHOTOS" ] \
        || { echo "not every photo was stored" >&2; cat "$W/runs/assess.photo_add_batch.$r.log" >&2; exit 1; }
    timed lib.batch1 "$STAGES" batch 1 "${FILES[@]}"
    timed lib.batch2 "$STAGES" batch 2 "${FILES[@]}"
    timed pillow.draft $PY bench/photos/photos_pillow.py draft "${FILES[@]}"
    timed pillow.full $PY bench/photos/photos_pillow.py full "${FILES[@]}"
    timed stages.ingest "$STAGES" stages "${FILES[@]}"
done
uptime >> "$W/uptime.txt"
rm -f "$W/run.db" "$W/run.db-wal" "$W/run.db-shm"

echo
echo "median of $REPEATS run(s) over $PHOTOS photos"
python3 - "$W" "$PHOTOS" <<'PY'
import collections, statistics, sys, pathlib
w, n = pathlib.Path(sys.argv[1]), int(sys.argv[2])
runs = collections.defaultdict(list)
for line in open(w / "results.tsv"):
    name, r, wall, rss, cpu, cpus = line.split("\t")
    runs[name].append((float(wall), int(rss), float(cpus)))
med = {}
for name, v in runs.items():
    med[name] = (statistics.median(x[0] for x in v), statistics.median(x[2] for x in v),
                 statistics.median(x[1] for x in v), len(v))
base = med.get("pillow.draft")
print("| side | runs | wall (s) | photos/s (wall) | x pillow.draft | CPU s (user+sys) | photos/CPU-s | x pillow.draft | peak RSS (MiB) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for name, (wall, cs, rss, k) in med.items():
    if name.startswith("stages."):
        continue
    rw = f"{base[0] / wall:.2f}" if base else "-"
    rc = f"{base[1] / cs:.2f}" if base else "-"
    print(f"| {name} | {k} | {wall:.2f} | {n / wall:.2f} | {rw} | {cs:.2f} | {n / cs:.2f} | {rc} | {rss:.0f} |")
# Stage medians (ms per photo) from the in-process runs, median over the repeats.
for prefix in ("stages.ingest", "lib.batch1", "lib.batch2", "pillow.draft", "pillow.full"):
    per = collections.defaultdict(list)
    for log in sorted(w.glob(f"runs/{prefix}.*.log")):
        for line in log.read_text().splitlines()[1:]:
            parts = line.split("\t")
            if len(parts) >= 3:
                try:  # median ms per photo; for a whole batch (no median), its total in s
                    per[parts[0]].append((float(parts[1]), "ms/photo") if parts[1] else (float(parts[2]), "s"))
                except ValueError:
                    pass
    if per:
        print(f"\n{prefix}: median over the repeats, by stage")
        for k, v in per.items():
            print(f"  {k:26s} {statistics.median(x[0] for x in v):8.3f} {v[0][1]}")
PY
