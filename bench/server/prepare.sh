#!/usr/bin/env bash
# Prepares a database for the field server's load (bench/server/run.sh, scripts/crash-test.sh):
#
#   bench/server/prepare.sh ASSESS DRAW_DIR VILLAGES_CSV DB CLIENTS_TSV N
#
# `assess init`, the draw imported, county 530128 assigned to team "load" (team province 11),
# N interviewer accounts of that team, two to a sampled village (in village-code order), each
# holding half of its village's sampled households. Writes CLIENTS_TSV for `loadgen run`:
# account, token, draw id, village, households separated by `;`.
set -euo pipefail
A=$1 DRAW_DIR=$2 VILLAGES=$3 DB=$4 OUT=$5 N=$6
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
DRAW=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sample_sha256"])' "$DRAW_DIR/manifest.json")
"$A" init --db "$DB" > /dev/null
"$A" import-sample "$DRAW_DIR" --villages "$VILLAGES" --db "$DB" > /dev/null
printf 'county,county_name,team,team_province,distance_km\n530128,Luquan,load,11,0\n' > "$T/counties.csv"
python3 - "$DRAW_DIR/sample.csv" "$DRAW" "$T/split.csv" "$T/shares.tsv" "$N" <<'PY'
import csv, sys
sample, draw, split, shares, n = sys.argv[1:]
n = int(n)
villages = {}
for r in csv.DictReader(open(sample, encoding="utf-8")):
    villages.setdefault(r["village_code"], []).append(r["household_id"])
codes = sorted(villages)[: (n + 1) // 2]
if 2 * len(codes) < n:
    sys.exit(f"the draw has {len(villages)} villages: too few for {n} clients (two a village)")
with open(split, "w") as f, open(shares, "w") as s:
    f.write("draw_id,county_code,village_code,interviewers\n")
    for v, code in enumerate(codes):
        hh = villages[code]
        half = (len(hh) + 1) // 2
        f.write(f"{draw},530128,{code},load-{2 * v:03d};load-{2 * v + 1:03d}\n")
        s.write(f"load-{2 * v:03d}\t{code}\t{';'.join(hh[:half])}\n")
        s.write(f"load-{2 * v + 1:03d}\t{code}\t{';'.join(hh[half:])}\n")
PY
: > "$OUT"
while IFS=$'\t' read -r name village households; do
    token=$("$A" user add "$name" --role interviewer --team load --db "$DB" 2> "$T/user.err") \
        || { cat "$T/user.err" >&2; exit 1; }
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$token" "$DRAW" "$village" "$households" >> "$OUT"
done < "$T/shares.tsv"
"$A" assignment load --db "$DB" --counties "$T/counties.csv" --villages "$T/split.csv" > /dev/null
