#!/usr/bin/env python3
"""A census-sized survey file for `assess estimate` (bench/estimate/run.sh).

Interviewed households of a two-stage sample over many counties: in every county, villages
(PSUs) in three village strata (poverty villages, other villages with registered poor,
villages without), households in every village. Columns:

  county, stratum, village, weight, people,
  exited              1 if the household exited poverty (registered, now out), else 0
  exited_people       people of an exited household, else 0
  wrong_exit_people   people of an exited household found still poor, else 0
  nonreg              1 if the household is not on the poverty register, else 0
  nonreg_people       people of a non-registered household, else 0
  missed_people       people of a non-registered household that meets the criteria, else 0
  approving           1 if the household approves of the exit, else 0

The indicators: wrong-exit rate = wrong_exit_people / exited_people, missed rate =
missed_people / nonreg_people (ratios), approval = mean of approving; exited and nonreg
shares as means of 0/1. Rates vary by county and by village (a planted village effect, so
design effects are above 1). Stratum labels are unique over counties (county code + letter);
village labels unique in the file. Rows are written village by village. Deterministic for a
given --seed.

usage: bench/estimate/estimate_gen.py OUT.csv [--households 1000000] [--counties 60]
                                     [--per-village 50] [--seed 1]
"""
import argparse
import sys

import numpy as np
import polars as pl


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--households", type=int, default=1_000_000)
    ap.add_argument("--counties", type=int, default=60)
    ap.add_argument("--per-village", type=int, default=50, help="mean households per village")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)

    villages = max(a.households // a.per_village, 6 * a.counties)
    # Villages to counties (unequal county sizes), then to 3 strata in each county.
    county_share = rng.gamma(4.0, 1.0, a.counties)
    county_of_village = np.sort(
        rng.choice(a.counties, size=villages, p=county_share / county_share.sum())
    )
    # Every county gets at least 2 villages in each stratum (no lonely PSU).
    counts = np.bincount(county_of_village, minlength=a.counties)
    if counts.min() < 6:
        sys.exit("too few villages per county; lower --counties or --per-village")
    stratum_of_village = np.empty(villages, dtype=np.int64)
    start = 0
    for c in range(a.counties):
        n = counts[c]
        s = rng.choice(3, size=n, p=[0.3, 0.45, 0.25])
        s[:6] = [0, 0, 1, 1, 2, 2]
        stratum_of_village[start : start + n] = np.sort(s)
        start += n
    # Households per village (sum = households).
    size = rng.gamma(6.0, a.per_village / 6.0, villages)
    hh = np.maximum(2, np.floor(size * a.households / size.sum())).astype(np.int64)
    diff = a.households - hh.sum()
    idx = rng.choice(villages, size=abs(diff), replace=True)
    np.add.at(hh, idx, 1 if diff > 0 else -1)
    hh = np.maximum(hh, 2)
    diff = a.households - hh.sum()
    hh[np.argmax(hh)] += diff
    assert hh.sum() == a.households and hh.min() >= 1

    # Village-level weights (1/pi of the village times households per interview) and effects.
    base_w = rng.uniform(20.0, 120.0, villages) * (1.0 + stratum_of_village)
    county_rate = rng.uniform(0.002, 0.04, a.counties)
    village_effect = rng.lognormal(0.0, 0.8, villages)
    p_exited = np.array([0.35, 0.2, 0.05])[stratum_of_village]
    p_nonreg = 1.0 - p_exited - 0.05
    approve_v = np.clip(rng.normal(0.93, 0.04, villages), 0.5, 1.0)

    v = np.repeat(np.arange(villages), hh)
    n = a.households
    people = rng.integers(1, 8, n)
    weight = np.round(base_w[v] * rng.uniform(0.9, 1.1, n), 4)
    u = rng.random(n)
    exited = (u < p_exited[v]).astype(np.int64)
    nonreg = ((u >= p_exited[v]) & (u < p_exited[v] + p_nonreg[v])).astype(np.int64)
    rate = np.clip(county_rate[county_of_village[v]] * village_effect[v], 0.0, 0.5)
    wrong = exited * (rng.random(n) < rate)
    missed = nonreg * (rng.random(n) < rate / 2)
    approving = (rng.random(n) < approve_v[v]).astype(np.int64)

    county_code = 530000 + 100 * (1 + county_of_village[v] // 20) + 1 + county_of_village[v] % 20
    letters = np.array(["A", "B", "C"])
    df = pl.DataFrame(
        {
            "county": county_code,
            "stratum": letters[stratum_of_village[v]],
            "village": v + 1,
            "weight": weight,
            "people": people,
            "exited": exited,
            "exited_people": exited * people,
            "wrong_exit_people": wrong * people,
            "nonreg": nonreg,
            "nonreg_people": nonreg * people,
            "missed_people": missed * people,
            "approving": approving,
        }
    )
    df = df.with_columns(
        pl.format("{}{}", pl.col("county"), pl.col("stratum")).alias("stratum"),
        pl.format("V{}", pl.col("village")).alias("village"),
    )
    df.write_csv(a.out)
    print(
        f"{a.out}: {n} households, {a.counties} counties, {3 * a.counties} strata, "
        f"{villages} villages",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
