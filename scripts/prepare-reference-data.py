#!/usr/bin/env python3
"""Copy and trim the reference data the product embeds, from the upstream files.

Usage: python3 scripts/prepare-reference-data.py [DIR]

Run by developers when the upstream data changes; never at run time. DIR holds the
upstream files (default: the folder shared/data beside the repository, which only the
project's developers have):
  divisions/villages_2023_all.csv.gz            NBS 2023 codes (modood/Administrative-divisions-of-China)
  divisions/villages_2021_all.csv.gz            NBS 2021 codes (liyanjie2048/AdministrativeDivisionCn)
  divisions/adcode_2016_vonng_all_levels.csv.gz NBS 2016 codes (Vonng/adcode)
  poverty/poverty_counties_832.csv              the 832 poverty counties (Clebeech/ds_project, columns added)
  geo/focus_counties_datav.geojson              DataV boundaries (lyhmyd1211/GeoMapData_CN)
  geo/counties_all_datav_simplified.geojson     the same, every county, simplified
Where each comes from: docs/sources.md#division-code-lists, docs/sources.md#poverty-counties,
docs/sources.md#county-boundaries. Sources and licences of every output file are in
docs/reference-data.md.

Outputs (all UTF-8):
  data/divisions/divisions_{2016,2021,2023}.csv.gz   code,name,ur_code,lon_gcj02,lat_gcj02
      one row per county (6 digits), township (9) and village-level unit (12).
  data/counties/poverty_counties_832.csv             copied unchanged
  data/geo/poverty_counties_datav.geojson.gz         the 832 poverty counties' simplified
                                                     boundaries (GCJ-02), other counties dropped
  data/geo/focus_counties_datav.geojson              copied unchanged
"""
import csv, gzip, io, json, os, shutil, sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
shared = os.path.join(root, "..", "shared", "data") if len(sys.argv) < 2 else sys.argv[1]
out = os.path.join(root, "data")


def write_gz(path, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["code", "name", "ur_code", "lon_gcj02", "lat_gcj02"])
    for r in sorted(rows):
        w.writerow(r)
    # mtime=0 keeps the output byte-identical between runs.
    with open(path, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as g:
        g.write(buf.getvalue().encode("utf-8"))


def from_nbs_villages(name):
    rows = {}
    with gzip.open(os.path.join(shared, "divisions", name), "rt", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows[r["county_code"]] = (r["county_code"], r["county_name"], "", "", "")
            rows[r["town_code"]] = (r["town_code"], r["town_name"], "", "", "")
            rows[r["village_code"]] = (r["village_code"], r["village_name"], "", "", "")
    return rows.values()


def from_vonng_2016():
    width = {"county": 6, "town": 9, "village": 12}
    rows = []
    with gzip.open(os.path.join(shared, "divisions", "adcode_2016_vonng_all_levels.csv.gz"), "rt", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            n = width.get(r["level"])
            if n:
                rows.append((r["code"][:n], r["name"], r["ur_code"], r["longitude_gcj02"], r["latitude_gcj02"]))
    return rows


write_gz(os.path.join(out, "divisions", "divisions_2023.csv.gz"), from_nbs_villages("villages_2023_all.csv.gz"))
write_gz(os.path.join(out, "divisions", "divisions_2021.csv.gz"), from_nbs_villages("villages_2021_all.csv.gz"))
write_gz(os.path.join(out, "divisions", "divisions_2016.csv.gz"), from_vonng_2016())
shutil.copy(os.path.join(shared, "poverty", "poverty_counties_832.csv"), os.path.join(out, "counties"))
shutil.copy(os.path.join(shared, "geo", "focus_counties_datav.geojson"), os.path.join(out, "geo"))
with open(os.path.join(shared, "geo", "counties_all_datav_simplified.geojson"), encoding="utf-8") as f:
    fc = json.load(f)
fc["features"] = [x for x in fc["features"] if x["properties"].get("poverty_832")]
with open(os.path.join(out, "geo", "poverty_counties_datav.geojson.gz"), "wb") as f, \
        gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as g:
    g.write(json.dumps(fc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
print("reference data written to", out)
