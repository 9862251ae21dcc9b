#!/usr/bin/env python3
"""Synthetic visit records for the import benchmark (bench/records/run.sh).

    python3 bench/records/records_gen.py DRAW_DIR N OUT.jsonl [--seed 1]

Reads DRAW_DIR/manifest.json (the draw id is its sample_sha256) and DRAW_DIR/sample.csv,
picks N households of the sample at random (seeded; primaries and reserves alike) and writes
one *complete* in-person visit per household as JSON Lines, with the whole household record
of docs/records.md: every member as found (age or birth date, sex, schooling of children of
compulsory-school age, medical cover, an identity number for the head of a registered
household), income by its five sources and per person as stated, food, clothing, protein,
housing (four component grades, inspector grade, renovation), water (all eight answers),
approval answers and, for registered households, identification answers. The member count
is the sample's `members` column (so `register_members` agrees), the status its `stratum`.

Standard library only; deterministic for a given seed. A record is about 2 KB.
"""
import argparse
import csv
import json
import random
import sys
from pathlib import Path

CHECK = "10X98765432"
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
SURNAMES = ["Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu"]
GIVEN = ["Wei", "Min", "Jing", "Lei", "Fang", "Yan", "Jun", "Hua", "Ping", "Tao", "Xin", "Hong"]
OPINIONS = ["satisfied"] * 6 + ["basically_satisfied"] * 3 + ["dissatisfied", "dont_know"]
GRADES = ["a"] * 5 + ["b"] * 3 + ["c", "d"]


def id_number(rng, county, year, month, day, male):
    """A resident identity number with a correct GB 11643 check character."""
    seq = rng.randrange(0, 100) * 10 + (rng.choice([1, 3, 5, 7, 9]) if male else rng.choice([0, 2, 4, 6, 8]))
    body = f"{county}{year:04d}{month:02d}{day:02d}{seq:03d}"
    s = sum(int(c) * w for c, w in zip(body, WEIGHTS))
    return body + CHECK[s % 11]


def member(rng, i, county, registered):
    age = rng.choice([rng.randint(0, 5), rng.randint(6, 15), rng.randint(16, 59), rng.randint(16, 59),
                      rng.randint(60, 88)]) if i > 1 else rng.randint(25, 75)
    male = rng.random() < 0.5
    cover = {"basic_medical_insurance": rng.random() < 0.99,
             "serious_illness_insurance": rng.random() < 0.97,
             "medical_assistance": registered and rng.random() < 0.6}
    m = {"id": str(i), "sex": "male" if male else "female", "cover": cover}
    if 6 <= age <= 15 or rng.random() < 0.3:
        y = 2018 - age
        m["birth_date"] = {"year": y, "month": rng.randint(1, 12), "day": rng.randint(1, 28)}
    else:
        m["age"] = age
    if 6 <= age <= 15:
        m["schooling"] = "in_school" if rng.random() < 0.995 else rng.choice(["home_teaching", "exempt_health"])
    if registered and i == 1:
        b = m.get("birth_date") or {"year": 2018 - age, "month": rng.randint(1, 12), "day": rng.randint(1, 28)}
        m["id_number"] = id_number(rng, county, b["year"], b["month"], b["day"], male)
    return m


def record(rng, draw_id, row, k):
    hid = row["household_id"]
    status = row["stratum"]
    county = row["county_code"]
    registered = status != "non_registered"
    n = max(1, int(row["members"] or 1))
    found = max(1, n + rng.choice([0] * 8 + [-1, 1]))
    members = [member(rng, i, county, registered) for i in range(1, found + 1)]
    wages = round(rng.uniform(2000, 12000) * found, 2)
    income = {"wages": wages, "business_net": round(rng.uniform(-500, 4000), 2),
              "property": round(rng.choice([0.0, 0.0, rng.uniform(0, 1500)]), 2),
              "transfers": round(rng.uniform(0, 3000) if registered else rng.uniform(0, 800), 2),
              "in_kind": round(rng.uniform(200, 1800), 2)}
    per_person = round(sum(income.values()) / found, 2)
    day = 10 + k % 10
    hour = 8 + k % 9
    minute = rng.randint(0, 30)
    lat = 23.0 + rng.random() * 10
    lon = 100.0 + rng.random() * 10
    team = f"team-{county}-{1 + k % 4}"
    a, b = rng.sample(range(len(SURNAMES) * len(GIVEN)), 2)
    names = [f"{SURNAMES[x % len(SURNAMES)]} {GIVEN[x // len(SURNAMES)]}" for x in (a, b)]
    household = {
        "household_id": hid,
        "status": status,
        "register_members": n,
        "members": members,
        "income_year": 2017,
        "income": income,
        "food_adequate": rng.random() < 0.99,
        "clothing_adequate": rng.random() < 0.99,
        "protein_available": rng.random() < 0.98,
        "housing": {
            "site_dangerous": rng.random() < 0.01,
            "components": {"load_bearing_walls": rng.choice(GRADES), "foundation": rng.choice(GRADES),
                           "roof_truss": rng.choice(GRADES),
                           "wood_members": rng.choice(GRADES + ["not_present"] * 3)},
            "inspector_grade": rng.choice("AAAABBBCD"),
            "renovation": rng.choice(["none"] * 7 + ["reinforced", "rebuilt", "relocated"]),
        },
        "water": {"litres_per_person_day": round(rng.uniform(20, 120), 1),
                  "water_scarce_area": rng.random() < 0.2, "piped_to_yard": rng.random() < 0.8,
                  "fetch_minutes": round(rng.uniform(0, 25), 1), "horizontal_m": round(rng.uniform(0, 900), 1),
                  "vertical_m": round(rng.uniform(0, 90), 1), "outage_days": rng.randint(0, 20),
                  "quality_ok": rng.random() < 0.97},
        "income_per_person_stated": per_person,
        "approval": {q: rng.choice(OPINIONS) for q in ("exit", "policies", "help_received", "cadres_work")},
    }
    if registered:
        household["identification"] = {
            "owns_vehicle": False, "vehicle_value_yuan": None, "urban_flat_or_shop": rng.random() < 0.02,
            "registered_company": False, "public_payroll": rng.random() < 0.01, "village_cadre": rng.random() < 0.05}
    return {
        "draw_id": draw_id,
        "household_id": hid,
        "disposition": "complete",
        "mode": "in_person" if rng.random() < 0.9 else rng.choice(["phone", "proxy"]),
        "team": team,
        "interviewers": names,
        "start": f"2019-06-{day:02d}T{hour:02d}:{minute:02d}:00+08:00",
        "end": f"2019-06-{day:02d}T{hour:02d}:{minute + rng.randint(25, 29):02d}:00+08:00",
        "gps_start": {"lat": round(lat, 6), "lon": round(lon, 6)},
        "gps_end": {"lat": round(lat + 1e-4, 6), "lon": round(lon - 1e-4, 6)},
        "household": household,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("draw_dir")
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    draw = Path(args.draw_dir)
    draw_id = json.loads((draw / "manifest.json").read_text())["sample_sha256"]
    with open(draw / "sample.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    if args.n > len(rows):
        sys.exit(f"the sample has {len(rows)} households, fewer than {args.n}")
    rng = random.Random(args.seed)
    chosen = rng.sample(rows, args.n)
    with open(args.out, "w") as out:
        for k, row in enumerate(chosen):
            out.write(json.dumps(record(rng, draw_id, row, k), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
