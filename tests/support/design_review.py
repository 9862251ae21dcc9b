#!/usr/bin/env python3
"""The design review's weighting effects for a plan with one stratum split by `remote`, computed
apart from assess (tests/plan.rs quotes its output for the bundled Luquan register).

Usage: design_review.py REGISTER VILLAGES N_REMOTE N_OTHER TAKE_EXITED TAKE_POOR TAKE_NONREG

Villages are drawn with probability proportional to their households within each part,
capped at 1 (iteratively); k = min(take, N) households of each status per village. Kish's
weighting effect over the expected sample: (Σ π k)(Σ N² / (π k)) / (Σ N)².
"""
import collections
import csv
import sys


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
        pi.update(zip(codes, capped([sum(households[v]) for v in codes], n)))
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
