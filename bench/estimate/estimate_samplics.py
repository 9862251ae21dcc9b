#!/usr/bin/env python3
"""The estimates of bench/estimate/run.sh with samplics (Taylor linearisation, strata,
PSUs, weights, with replacement), end to end from the CSV, written as JSON for the comparison.

usage: bench/estimate/estimate_samplics.py DATA.csv OUT.json

The analyses are those of `assess estimate` in bench/estimate/run.sh, each by county
(samplics' `domain=`): the ratios wrong_exit_people/exited_people and
missed_people/nonreg_people, the means of approving, exited and nonreg, the proportion of
every level of approving, and the total of people. Label columns (stratum, village) are passed as integer codes: samplics
compares them with `==` once per stratum and domain, which is much slower on strings.
"""
import json
import sys
import time
import warnings
from importlib.metadata import version

import numpy as np
import polars as pl

warnings.filterwarnings("ignore", category=FutureWarning)
from samplics.estimation import TaylorEstimator  # noqa: E402
from samplics.utils.types import PopParam  # noqa: E402

ANALYSES = [
    ("ratio", "wrong_exit_people", "exited_people"),
    ("ratio", "missed_people", "nonreg_people"),
    ("mean", "approving", None),
    ("mean", "exited", None),
    ("mean", "nonreg", None),
    ("prop", "approving", None),
    ("total", "people", None),
]


def main() -> None:
    data, out = sys.argv[1], sys.argv[2]
    t0 = time.perf_counter()
    df = pl.read_csv(data, schema_overrides={"stratum": pl.Utf8, "village": pl.Utf8})
    codes = lambda c: df[c].cast(pl.Categorical).to_physical().to_numpy()  # noqa: E731
    stratum, psu = codes("stratum"), codes("village")
    domain = df["county"].to_numpy()
    w = df["weight"].to_numpy().astype(float)
    t_read = time.perf_counter() - t0
    results = []
    timings = {}
    for param, y, x in ANALYSES:
        t1 = time.perf_counter()
        est = TaylorEstimator(getattr(PopParam, param))
        kw = {"x": df[x].to_numpy().astype(float)} if x else {}
        est.estimate(
            y=df[y].to_numpy().astype(float) if param != "prop" else df[y].to_numpy(),
            samp_weight=w,
            stratum=stratum,
            psu=psu,
            domain=domain,
            **kw,
        )
        variable = f"{y}/{x}" if x else y
        timings[f"{param} {variable}"] = time.perf_counter() - t1
        for d, point in est.point_est.items():
            levels = point.items() if isinstance(point, dict) else [(None, point)]
            for level, value in levels:
                se = est.stderror[d][level] if level is not None else est.stderror[d]
                lo = est.lower_ci[d][level] if level is not None else est.lower_ci[d]
                hi = est.upper_ci[d][level] if level is not None else est.upper_ci[d]
                results.append(
                    {
                        "variable": variable,
                        "param": param,
                        "level": None if level is None else int(level),
                        "domain_level": int(d),
                        "estimate": float(value),
                        "se": float(se),
                        "lci": float(lo),
                        "uci": float(hi),
                        "df": int(est.degree_of_freedom),
                    }
                )
    json.dump(
        {
            # The distribution's version (0.6.1's module still says __version__ = "0.6.0").
            "samplics": version("samplics"),
            "rows": df.height,
            "read_seconds": t_read,
            "seconds": timings,
            "results": results,
        },
        open(out, "w"),
    )


if __name__ == "__main__":
    main()
