#!/usr/bin/env python3
"""Reference values for Tests/RecordsTests/StatisticsTests.swift, from SciPy.

Regenerate with:  python3 Tests/RecordsTests/Reference/statistics_reference.py
(needs scipy; CI only reads the committed statistics_reference.json).
"""
import json, os, sys
import numpy as np
import scipy
from scipy import special, stats

out = {"scipy": scipy.__version__, "numpy": np.__version__}

# I_x(a, b)
betainc = []
for a, b, x in [(0.5, 0.5, 0.3), (2.0, 3.0, 0.4), (2.5, 0.5, 0.9), (10.0, 0.5, 0.99), (0.5, 10.0, 0.01),
                (50.0, 0.5, 0.97), (1.0, 1.0, 0.25), (7.3, 2.1, 0.6), (100.0, 100.0, 0.5), (300.0, 0.5, 0.999),
                (1.5, 0.5, 1e-6), (0.5, 0.5, 0.999999)]:
    betainc.append({"a": a, "b": b, "x": x, "value": float(special.betainc(a, b, x))})
out["betainc"] = betainc

# P(T <= t) with df degrees of freedom (df need not be an integer: Welch)
cdf = []
for t in [-40.0, -6.5, -2.5, -1.0, -0.1, 0.0, 0.3, 1.0, 2.0, 2.776, 4.3, 12.7, 100.0]:
    for df in [1.0, 2.0, 3.7, 5.0, 10.0, 29.5, 200.0]:
        cdf.append({"t": t, "df": df, "value": float(stats.t.cdf(t, df)), "sf2": float(2 * stats.t.sf(abs(t), df))})
out["tcdf"] = cdf

# Quantiles
ppf = []
for p in [0.975, 0.95, 0.995, 0.6, 0.025]:
    for df in [1.0, 2.0, 3.0, 4.5, 9.0, 30.0, 1000.0]:
        ppf.append({"p": p, "df": df, "value": float(stats.t.ppf(p, df))})
out["tppf"] = ppf

# Samples: mean, sd (ddof=1), 95 % t-interval; and Welch tests between them
samples = {
    "a": [117.3, 119.8, 116.1],
    "b": [123.0, 121.4, 125.9, 122.2],
    "c": [0.2272, 0.2601, 0.2356],
    "d": [1.0, 1.0000001, 0.9999999, 1.0000002, 0.9999998],
    "e": [5.0, 9.0],
}
summ = {}
for k, v in samples.items():
    v = np.array(v)
    m, s, n = float(v.mean()), float(v.std(ddof=1)), len(v)
    lo, hi = stats.t.interval(0.95, n - 1, loc=m, scale=s / np.sqrt(n))
    summ[k] = {"values": v.tolist(), "mean": m, "sd": s, "n": n, "low": float(lo), "high": float(hi)}
out["summaries"] = summ

welch = []
for x, y in [("a", "b"), ("b", "a"), ("a", "c"), ("d", "e"), ("a", "e")]:
    vx, vy = np.array(samples[x]), np.array(samples[y])
    r = stats.ttest_ind(vx, vy, equal_var=False)
    ci = r.confidence_interval(0.95)
    welch.append({"a": x, "b": y, "t": float(r.statistic), "p": float(r.pvalue), "df": float(r.df),
                  "difference": float(vx.mean() - vy.mean()), "low": float(ci.low), "high": float(ci.high)})
out["welch"] = welch

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "statistics_reference.json"), "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write("\n")
print("wrote", os.path.join(here, "statistics_reference.json"), file=sys.stderr)
