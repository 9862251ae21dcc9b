#!/usr/bin/env python3
"""Re-derive the household stage of an `assess draw` with the standard library only.

usage: verify_sample.py REGISTER.csv SAMPLE.csv HOUSEHOLD_SEED
For every (village, stratum) cell in SAMPLE.csv, computes the ticket of every household of
that village and status in the register (CSV in UTF-8 or GB18030; English headers or the
Chinese ones of docs/register.md), orders them by (ticket, id), and checks that the sample's
households, tickets, roles and reserve ranks are exactly the first ones. Other columns of
SAMPLE.csv (the register's display columns) do not enter the check.
Scheme (docs/sampling.md): SHA-256 of seed, 'household', county, stratum, household id
joined by 0x1F, UTF-8 NFC; ticket = (first 8 digest bytes, big-endian, + 0.5) / 2**64.
"""
import csv, hashlib, io, sys, unicodedata
from collections import defaultdict

# The header aliases and status labels this script needs, as assess-household's
# FRAME_ALIASES and STATUS_LABELS have them (tests/draw.rs checks they are all here).
ALIASES = {
    "household_id": ["户编号"],
    "village_code": ["村代码", "行政区划代码", "村行政区划代码"],
    "status": ["脱贫状态"],
}
STATUS_LABELS = {"已脱贫": "exited", "未脱贫": "poor", "非建档立卡": "non_registered"}


def register_rows(path):
    """The register's rows as dicts keyed by household_id, village_code and status."""
    data = open(path, "rb").read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader)]
    index = {}
    for column, aliases in ALIASES.items():
        for i, name in enumerate(header):
            if name.lower() == column or name in aliases:
                index[column] = i
    for fields in reader:
        if any(f.strip() for f in fields):
            yield {c: fields[i] for c, i in index.items()}


def ticket(seed, county, stratum, unit):
    parts = [seed, "household", county, stratum, unit]
    data = "\x1f".join(unicodedata.normalize("NFC", p.strip()) for p in parts).encode("utf-8")
    n = int.from_bytes(hashlib.sha256(data).digest()[:8], "big")
    return (n + 0.5) / 2**64


def main(register, sample, seed):
    cells = defaultdict(list)  # (village, stratum) -> sample rows in file order
    with open(sample, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            cells[(row["village_code"], row["stratum"])].append(row)
    frame = defaultdict(list)  # (village, stratum) -> [(ticket, id)]
    for row in register_rows(register):
        status = row["status"].strip()
        key = (row["village_code"].strip(), STATUS_LABELS.get(status, status))
        if key in cells:
            hid = unicodedata.normalize("NFC", row["household_id"].strip())
            frame[key].append((ticket(seed, key[0][:6], key[1], hid), hid))
    problems, checked = [], 0
    for key, rows in cells.items():
        expected = sorted(frame[key])[: len(rows)]
        primaries = sum(r["role"] == "primary" for r in rows)
        for k, (row, (t, hid)) in enumerate(zip(rows, expected)):
            role, rank = ("primary", "") if k < primaries else ("reserve", str(k - primaries + 1))
            got = (row["household_id"], float(row["ticket"]), row["role"], row["reserve_rank"])
            if got != (hid, t, role, rank):
                problems.append(f"{key}: row {k + 1} is {got}, expected {(hid, t, role, rank)}")
            checked += 1
        if len(expected) < len(rows):
            problems.append(f"{key}: sample has {len(rows)} rows, register only {len(expected)}")
    for p in problems[:20]:
        print(p)
    print(f"{checked} sample rows checked, {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
