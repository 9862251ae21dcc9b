# True inclusion probabilities of sequential Poisson sampling on psu_frame, by simulation
# with Python's own uniform generator (independent of our tickets).
import csv, random, collections
rows = list(csv.DictReader(open('tests/data/reference/psu_frame.csv', encoding='utf-8-sig')))
n = {'East': 3, 'North': 2, 'South': 3, 'West': 2}
by = collections.defaultdict(list)
for r in rows: by[r['region']].append((r['cluster'], float(r['number_households_census'])))
R = 200000
rng = random.Random(1)
worst = 0
for h, units in by.items():
    tot = sum(s for _, s in units); lam = [n[h]*s/tot for _, s in units]
    hits = [0]*len(units)
    for _ in range(R):
        keys = sorted((i for i in range(len(units)) if lam[i] > 0), key=lambda i: rng.random()/lam[i])
        for i in keys[:n[h]]: hits[i] += 1
    for i, l in enumerate(lam):
        d = hits[i]/R - l
        worst = max(worst, abs(d))
        print(h, units[i][0], round(l,4), round(hits[i]/R,4), round(d,4))
print('max |pi_true - lambda| ~', worst, 'MC se ~', (0.25/R)**0.5)
