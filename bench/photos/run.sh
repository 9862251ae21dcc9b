#!/usr/bin/env bash
# Benchmark: 12-megapixel JPEG crack photos ingested per second by `assess photo add` (release
# build; decode, SHA-256, EXIF, thumbnail, boundary and date checks, stored in a SQLite survey
# database, one process per photo as a user runs it), side by side in the same run with
# Pillow on the same files (bench/photos/photos_pillow.py: SHA-256, EXIF, Image.thumbnail,
# JPEG encode; `draft` = Pillow's default DCT-scaled decode, `full` = full-resolution decode
# first), and the stages of our ingest timed one by one in one process
# (bench/photos/photo-stages, a small Rust binary on the assess-photo crate, outside the workspace).
# Results go into docs/benchmarks.md ("Inspection records and photos").
#
#   bench/photos/run.sh                  # 30 photos, 3 repeats
#   PHOTOS=10 REPEATS=1 bench/photos/run.sh
#   ASSESS=/path/to/assess NO_STAGES=1 bench/photos/run.sh   # a given build, no cargo build
#
# Data (made once under $W): PHOTOS 4000 x 3000 JPEGs with EXIF time and GPS near Luquan
# (bench/photos/photos_gen.py, Pillow; about 4 MB each); the bundled Luquan register drawn with
# sample-plans/luquan-530128.toml (seeds of scripts/demo.sh) into a template SQLite database.
# Photo i is added to household i of the draw's sample, with --from/--to for the date check.
#
# Environment: PHOTOS (default 30), REPEATS (default 3), ASSESS (the assess binary to measure;
# without it, `cargo build --release` and target/release/assess), STAGES_TARGET (cargo target
# dir for bench/photos/photo-stages, default target/), STAGES_BIN (a prebuilt photo-stages
# binary), NO_STAGES=1 to skip it, W (work dir, default bench/work/photos; git-ignored).
# Needs GNU time, python3; pip installs pillow if missing. Prints medians of the repeats;
# every run is in $W/results.tsv.
set -euo pipefail
. "$(dirname "$0")/../common.sh"
assess_given
[ -z "${STAGES_BIN:-}" ] || STAGES_BIN=$(realpath "$STAGES_BIN")
cd "$(dirname "$0")/../.."
ROOT=$PWD

PHOTOS=${PHOTOS:-30}
REPEATS=${REPEATS:-3}
W=${W:-bench/work/photos}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "GNU time is needed at $TIME (apt-get install time)" >&2; exit 1; }
mkdir -p "$W/runs"
W=$(cd "$W" && pwd)
assess_binary
cp "$ASSESS" "$W/assess"
A=$W/assess
python3 -c 'import PIL' 2>/dev/null || { echo "== pip install pillow"; python3 -m pip install --quiet pillow; }

# ---- data -----------------------------------------------------------------------------------
n_have=$(ls "$W"/img/photo-*.jpg 2>/dev/null | wc -l || true)   # ls fails (pipefail) before the first run
if [ "$n_have" -lt "$PHOTOS" ]; then
    echo "== generating $PHOTOS photos (4000 x 3000)"
    python3 bench/photos/photos_gen.py "$W/img" "$PHOTOS"
fi
FILES=()
for i in $(seq 1 "$PHOTOS"); do FILES+=("$W/img/$(printf 'photo-%03d.jpg' "$i")"); done
if [ ! -s "$W/template.db" ]; then
    echo "== Luquan draw into a template SQLite database"
    rm -rf "$W/draw"
    $A draw --plan sample-plans/luquan-530128.toml --frame examples/luquan/register.csv \
        --villages examples/luquan/villages.csv --seed 35216645123362514246 \
        --household-seed 61524433251646152433 --out "$W/draw" > "$W/draw.log" 2>&1
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

STAGES=""
if [ -n "${STAGES_BIN:-}" ]; then
    cp "$STAGES_BIN" "$W/photo-stages"
    STAGES=$W/photo-stages
elif [ -z "${NO_STAGES:-}" ]; then
    echo "== build bench/photos/photo-stages"
    cp Cargo.lock bench/photos/photo-stages/Cargo.lock
    CARGO_TARGET_DIR=${STAGES_TARGET:-$ROOT/target} cargo build --release --quiet \
        --manifest-path bench/photos/photo-stages/Cargo.toml
    rm -f bench/photos/photo-stages/Cargo.lock
    cp "${STAGES_TARGET:-$ROOT/target}/release/photo-stages" "$W/photo-stages"
    STAGES=$W/photo-stages
fi

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
  echo "assess: $($A --version)"; python3 --version
  python3 -c 'import PIL; print("Pillow", PIL.__version__)'
  python3 -c 'from PIL import features; print("libjpeg-turbo:", features.version("libjpeg_turbo"))'
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
    timed pillow.draft python3 bench/photos/photos_pillow.py draft "${FILES[@]}"
    timed pillow.full python3 bench/photos/photos_pillow.py full "${FILES[@]}"
    [ -n "$STAGES" ] && timed stages.ingest_bytes "$STAGES" "${FILES[@]}"
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
print("| side | runs | wall (s) | photos/s (wall) | CPU s (user+sys) | photos/CPU-s | peak RSS (MiB) |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, v in runs.items():
    wall = statistics.median(x[0] for x in v)
    cs = statistics.median(x[2] for x in v)
    print(f"| {name} | {len(v)} | {wall:.2f} | {n / wall:.2f} | {cs:.2f} | {n / cs:.2f} | {statistics.median(x[1] for x in v):.0f} |")
# Stage medians (ms per photo) from the in-process runs, median over the repeats.
for prefix in ("stages.ingest_bytes", "pillow.draft", "pillow.full"):
    per = collections.defaultdict(list)
    for log in sorted(w.glob(f"runs/{prefix}.*.log")):
        for line in log.read_text().splitlines()[1:]:
            parts = line.split("\t")
            if len(parts) >= 2 and parts[1]:
                try:
                    per[parts[0]].append(float(parts[1]))
                except ValueError:
                    pass
    if per:
        print(f"\n{prefix}: median ms per photo by stage")
        for k, v in per.items():
            print(f"  {k:26s} {statistics.median(v):8.1f}")
PY
