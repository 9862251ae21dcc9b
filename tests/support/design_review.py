#!/usr/bin/env python3
"""The design review's weighting effects for a plan with one stratum split by `remote`, computed
apart from assess (tests/plan.rs quotes its output for the bundled Luquan register).

Usage: design_review.py REGISTER VILLAGES N_REMOTE N_OTHER TAKE_EXITED TAKE_POOR TAKE_NONREG

Villages are drawn by sequential Poisson sampling (Ohlsson 1998) with target λ proportional
to their households within each part, capped at 1 (iteratively); π is the exact inclusion
probability of that scheme, integrated here with scipy's adaptive quadrature (the draw uses its
own Gauss-Legendre rule): π_i = λ_i ∫₀^{1/λ_i} P(fewer than m others have U_j/λ_j < s) ds.
k = min(take, N) households of each status per village. Kish's weighting effect over the
expected sample: (Σ π k)(Σ N² / (π k)) / (Σ N)².
"""
import collections
import csv
import sys

import numpy as np
from scipy.integrate import quad


def capped(sizes, n):
    certain = [False] * len(sizes)
    while True:
        rest = n - sum(certain)
        total = sum(s for s, c in zip(sizes, certain) if not c)
        lam = [1.0 if c else rest * s / total for s, c in zip(sizes, certain)]
        newly = [i for i, l in enumerate(lam) if l >= 1 and not certain[i]]
        if not newly:
            return lam
        for i in newly:
            certain[i] = True


def at_most(probabilities, m):
    """P(a sum of independent Bernoullis is at most m - 1), by the Poisson-binomial recursion."""
    dist = np.zeros(m)
    dist[0] = 1.0
    for p in probabilities:
        dist[1:] = dist[1:] * (1 - p) + dist[:-1] * p
        dist[0] *= 1 - p
    return dist.sum()


def sps_exact(lam):
    """Exact SPS inclusion probabilities for capped targets λ (certainties have λ = 1)."""
    random = [i for i, l in enumerate(lam) if l < 1]
    m = round(sum(lam[i] for i in random))
    pi = [1.0] * len(lam)
    for i in random:
        others = np.array([lam[j] for j in random if j != i])

        def integrand(s):
            return at_most(np.minimum(1.0, others * s), m)

        kinks = sorted(1 / l for l in others if 1 / l < 1 / lam[i])
        value, _ = quad(integrand, 0, 1 / lam[i], points=kinks or None, limit=500,
                        epsabs=1e-12, epsrel=1e-10)
        pi[i] = lam[i] * value
    return pi


def main(register, villages, n_remote, n_other, *take):
    take = [int(t) for t in take]
    status = {"exited": 0, "poor": 1, "non_registered": 2}
    households = collections.defaultdict(lambda: [0, 0, 0])
    for row in csv.DictReader(open(register, encoding="utf-8")):
        households[row["village_code"]][status[row["status"]]] += 1
    remote = {r["village_code"]: r["remote"] == "true"
              for r in csv.DictReader(open(villages, encoding="utf-8"))}
    pi = {}
    for part, n in ((True, int(n_remote)), (False, int(n_other))):
        codes = [v for v in households if remote.get(v) == part]
        pi.update(zip(codes, sps_exact(capped([sum(households[v]) for v in codes], n))))
    for name, cell in (("exited", [0]), ("non_registered", [2]), ("all", [0, 1, 2])):
        n = total = squares = 0.0
        for v, p in pi.items():
            for s in cell:
                big_n = households[v][s]
                if big_n:
                    k = min(take[s], big_n)
                    n += p * k
                    total += big_n
                    squares += big_n * big_n / (p * k)
        print(f"{name}: expected {n:.4f}, weighting effect {n * squares / total ** 2:.6f}")


if __name__ == "__main__":
    main(*sys.argv[1:])
