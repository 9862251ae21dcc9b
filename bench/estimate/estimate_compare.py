#!/usr/bin/env python3
"""Compares `assess estimate` JSON with bench/estimate/estimate_samplics.py JSON, estimate
by estimate (bench/estimate/run.sh).

usage: bench/estimate/estimate_compare.py ASSESS.json SAMPLICS.json

Prints one JSON object: how many estimates each side gave and were matched (by param,
variable, level, domain level), the largest relative difference of the estimates and of the
standard errors (|a - s| / |s|; 0 when both are 0), and the largest relative difference of
the interval bounds with the degrees of freedom each side used (samplics gives every domain
the whole design's df, assess the domain's own PSUs - strata, so bounds differ slightly by
the t quantile), and the same bounds recomputed from assess's estimate and standard error at
samplics' df (t interval, or logit for proportions), which must agree. Exits 1 when an estimate is missing on either side.
"""
import json
import math
import sys

from scipy.stats import t as student


def rel(a: float, s: float) -> float:
    if a == s:
        return 0.0
    return abs(a - s) / max(abs(s), 1e-300)


def at_df(a: dict, df: int) -> tuple:
    """assess's interval recomputed with `df` degrees of freedom (95%, two-sided)."""
    q = student.ppf(0.975, df)
    p, se = a["estimate"], a["se"]
    if a["param"] != "prop":
        return p - q * se, p + q * se
    if p in (0.0, 1.0):
        return p, p
    loc, scale = math.log(p / (1 - p)), se / (p * (1 - p))
    expit = lambda v: math.exp(v) / (1 + math.exp(v))  # noqa: E731
    return expit(loc - q * scale), expit(loc + q * scale)


def main() -> None:
    ours = json.load(open(sys.argv[1]))["results"]
    theirs = json.load(open(sys.argv[2]))["results"]
    key = lambda r: (r["param"], r["variable"], r["level"], r["domain_level"])  # noqa: E731
    mine = {key(r): r for r in ours}
    other = {key(r): r for r in theirs}
    missing = sorted(set(mine) ^ set(other), key=str)
    worst = {k: (0.0, None) for k in ("estimate", "se", "ci", "ci_at_df")}
    for k in sorted(set(mine) & set(other), key=str):
        a, s = mine[k], other[k]
        for field in ("estimate", "se"):
            d = rel(a[field], s[field])
            if d > worst[field][0]:
                worst[field] = (d, k)
        for b in ("lci", "uci"):
            if a.get(b) is None:
                continue
            d = rel(a[b], s[b])
            if d > worst["ci"][0]:
                worst["ci"] = (d, k)
        for b, d in zip(("lci", "uci"), at_df(a, s["df"])):
            d = rel(d, s[b])
            if d > worst["ci_at_df"][0]:
                worst["ci_at_df"] = (d, k)
    dfs_ours = sorted({r["df"] for r in ours if "df" in r})
    dfs_theirs = sorted({r["df"] for r in theirs})
    print(
        json.dumps(
            {
                "assess_estimates": len(ours),
                "samplics_estimates": len(theirs),
                "matched": len(set(mine) & set(other)),
                "unmatched": [list(k) for k in missing[:10]],
                "max_rel_diff_estimate": worst["estimate"][0],
                "max_rel_diff_se": worst["se"][0],
                "worst_se": list(worst["se"][1]) if worst["se"][1] else None,
                "max_rel_diff_ci": worst["ci"][0],
                "max_rel_diff_ci_at_samplics_df": worst["ci_at_df"][0],
                "df_assess": [dfs_ours[0], dfs_ours[-1]] if dfs_ours else None,
                "df_samplics": dfs_theirs,
            }
        )
    )
    if missing:
        sys.exit(1)


if __name__ == "__main__":
    main()
