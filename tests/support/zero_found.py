#!/usr/bin/env python3
"""Independent check of P(zero found) for docs/simulation.md, "Calibration".

The probability that a county's sample finds no wrongly exited (or missed) household, under
the model of `assess synth` (docs/synth.md, "The truth and its clustering"): each village's
rate is Beta with mean m_v and intra-village correlation rho (alpha = m(1 - rho)/rho,
beta = (1 - m)(1 - rho)/rho), its households Bernoulli given it, so a village's count among
its M sampled households is beta-binomial, and villages are independent:

    P(0) = prod_v BetaBinom(0; M, alpha_v, beta_v) = prod_v B(alpha_v, beta_v + M) / B(alpha_v, beta_v)

Remote tilt: the remote villages' mean is p * w / W, the others' p / W, W = s * w + (1 - s) the
average tilt over the stratum's households (s = remote share of them), as synth plants it.
The shipped national plan: 25 villages, half remote (12 or 13), 22 exited and 25
non-registered households interviewed per village.

Computed twice, apart from the Rust code: scipy's betabinom (closed form) and a plain Monte
Carlo (numpy: village rates from Beta, counts from Binomial). Then the cohort: 245 of 283
counties (86.57%) with no wrong exit found, 256 (90.46%) none missed (People's Daily
2019-07-03, docs/sources.md#cohort-2018), with their Clopper-Pearson 95% intervals, inverted for
the county rate p at each rho, and for a cohort whose county rates are Gamma with mean mu and
coefficient of variation cv (the mean over the Gamma's quantiles).

Usage: python3 tests/support/zero_found.py [--mc N]
"""
import argparse
import numpy as np
from scipy import optimize, special, stats

VILLAGES = 25
REMOTE = (12, 13)  # the plan's share 0.5 of 25 villages: either split, averaged
EXITED_PER_VILLAGE = 22
NON_REGISTERED_PER_VILLAGE = 25
REMOTE_SHARE = 0.3  # remote share of the county's households (docs/simulation.md, Huayuan)


def village_means(p, tilt):
    w = REMOTE_SHARE * tilt + (1.0 - REMOTE_SHARE)
    return p * tilt / w, p / w


def p0_village(m, rho, size):
    """BetaBinom(0; size, a, b) by scipy (scalars), or B(a, b + size)/B(a, b) (arrays)."""
    if np.ndim(m) == 0:
        if m <= 0:
            return 1.0
        if rho == 0:
            return (1.0 - m) ** size
        a = m * (1 - rho) / rho
        b = (1 - m) * (1 - rho) / rho
        return stats.betabinom.pmf(0, size, a, b)
    m = np.asarray(m, dtype=float)
    if rho == 0:
        return (1.0 - m) ** size
    a = np.maximum(m, 1e-300) * (1 - rho) / rho
    b = (1 - m) * (1 - rho) / rho
    return np.where(m > 0, np.exp(special.betaln(a, b + size) - special.betaln(a, b)), 1.0)


def p_zero(p, rho, size=EXITED_PER_VILLAGE, tilt=1.5):
    """P(no positive in the sample), closed form."""
    remote, other = village_means(p, tilt)
    out = 0.0
    for r in REMOTE:
        out += p0_village(remote, rho, size) ** r * p0_village(other, rho, size) ** (VILLAGES - r)
    return out / len(REMOTE)


def p_zero_mc(p, rho, size=EXITED_PER_VILLAGE, tilt=1.5, n=200_000, seed=1):
    """The same by simulation: village rates, then counts."""
    rng = np.random.default_rng(seed)
    remote, other = village_means(p, tilt)
    hits = 0
    for i, r in enumerate(REMOTE):
        k = n // len(REMOTE)
        total = np.zeros(k, dtype=np.int64)
        for m, count in ((remote, r), (other, VILLAGES - r)):
            if rho == 0:
                rates = np.full((k, count), m)
            else:
                a = m * (1 - rho) / rho
                b = (1 - m) * (1 - rho) / rho
                rates = rng.beta(a, b, size=(k, count))
            total += rng.binomial(size, rates).sum(axis=1)
        hits += int((total == 0).sum())
    return hits / (len(REMOTE) * (n // len(REMOTE)))


def cohort_p_zero(mu, cv, rho, size=EXITED_PER_VILLAGE, tilt=1.5):
    """E[P(0 | p)] over county rates p ~ Gamma(mean mu, CV cv)."""
    if cv == 0:
        return p_zero(mu, rho, size, tilt)
    shape = 1.0 / cv**2
    dist = stats.gamma(shape, scale=mu / shape)
    # E over the Gamma as the mean over 4,000 equally likely quantiles (midpoint rule in the
    # probability scale; P(0 | p) is bounded and monotone, so the error is below 1/4,000).
    u = (np.arange(4000) + 0.5) / 4000
    ps = np.minimum(dist.ppf(u), 0.5)
    return float(np.mean(p_zero(ps, rho, size, tilt)))


def clopper_pearson(x, n, level=0.95):
    a = (1 - level) / 2
    lo = stats.beta.ppf(a, x, n - x + 1)
    hi = stats.beta.ppf(1 - a, x + 1, n - x)
    return lo, hi


def invert(target, f):
    """The rate p in (0, 0.2) with f(p) = target (f decreasing)."""
    return optimize.brentq(lambda p: f(p) - target, 1e-7, 0.05, xtol=1e-9)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mc", type=int, default=200_000)
    args = ap.parse_args()
    rhos = [0.0, 0.02, 0.05, 0.1, 0.2]
    rates = [0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.03]

    print("## P(zero wrong exits found): 25 villages x 22 exited, tilt 1.5 (closed form / Monte Carlo)")
    print("| p \\ rho | " + " | ".join(str(r) for r in rhos) + " |")
    print("|---" * (len(rhos) + 1) + "|")
    worst = 0.0
    for p in rates:
        cells = []
        for rho in rhos:
            exact = p_zero(p, rho)
            mc = p_zero_mc(p, rho, n=args.mc)
            se = np.sqrt(exact * (1 - exact) / args.mc)
            worst = max(worst, abs(mc - exact) / max(se, 1e-12))
            cells.append(f"{exact:.4f} / {mc:.4f}")
        print(f"| {100*p:.1f}% | " + " | ".join(cells) + " |")
    print(f"\nlargest |MC - closed form| / MC SE: {worst:.2f}")
    assert worst < 4.5, "closed form and Monte Carlo disagree"

    for name, x, size in (("wrong exits", 245, EXITED_PER_VILLAGE), ("missed", 256, NON_REGISTERED_PER_VILLAGE)):
        lo, hi = clopper_pearson(x, 283)
        print(f"\n## {name}: {x}/283 = {x/283:.4f} counties with none found, 95% CP [{lo:.4f}, {hi:.4f}]")
        print("one rate for every county (tilt 1.5): the rate p giving that share, [range from the CP interval]")
        print("| rho | p at the share | p range | P(0) at 0.5% | P(0) at 2% |")
        print("|---|---|---|---|---|")
        for rho in rhos:
            f = lambda p: p_zero(p, rho, size)
            print(
                f"| {rho} | {100*invert(x/283, f):.3f}% | [{100*invert(hi, f):.3f}%, {100*invert(lo, f):.3f}%]"
                f" | {f(0.005):.3f} | {f(0.02):.3f} |"
            )
        print("\ncounties differ: county rates Gamma(mean mu, CV cv); the mean mu giving the share")
        print("| rho | cv 0 | cv 0.5 | cv 1 | cv 2 |")
        print("|---|---|---|---|---|")
        for rho in rhos:
            row = []
            for cv in (0.0, 0.5, 1.0, 2.0):
                g = lambda mu: cohort_p_zero(mu, cv, rho, size)
                row.append(f"{100*invert(x/283, g):.3f}%")
            print(f"| {rho} | " + " | ".join(row) + " |")
        print("\ntwo kinds of county: a share z with no such household at all, the rest at rate p;")
        print("z = (S - P0(p)) / (1 - P0(p)) for the cohort share S")
        print("| rho | p = 0.5% | p = 1% | p = 2% | p = 3% |")
        print("|---|---|---|---|---|")
        for rho in rhos:
            row = []
            for p in (0.005, 0.01, 0.02, 0.03):
                q = p_zero(p, rho, size)
                row.append(f"{(x / 283 - q) / (1 - q):.3f}")
            print(f"| {rho} | " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
