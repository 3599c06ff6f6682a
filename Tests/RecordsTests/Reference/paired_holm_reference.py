#!/usr/bin/env python3
"""Reference values for the paired t-test and Holm's adjustment in
Tests/RecordsTests/StatisticsTests.swift: SciPy's `ttest_rel` and statsmodels'
`multipletests(method="holm")`.

Regenerate with:  python3 Tests/RecordsTests/Reference/paired_holm_reference.py
(needs scipy and statsmodels; CI only reads the committed paired_holm_reference.json).
"""
import json, os, sys
import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.multitest import multipletests

out = {"scipy": scipy.__version__, "statsmodels": statsmodels.__version__, "numpy": np.__version__}

# Paired samples (a[i] with b[i]); the first pair is the paper sweep's MSE,
# SAM-ConvLSTM and SA-ConvLSTM by seed 1, 2, 3 (figures/paper-sweep).
pairs = [
    ([133.45643613535523, 137.89653745335957, 131.75345914169935],
     [135.59478407599514, 141.68975878078257, 135.01441932472144]),
    ([117.3, 119.8, 116.1, 121.0], [123.0, 121.4, 125.9, 122.2]),
    ([0.2272, 0.2601, 0.2356], [0.2, 0.3, 0.25]),
    ([1.0, 2.0], [1.5, 2.2]),
    ([10.0, 10.5, 9.5, 11.0, 10.2, 9.9], [10.1, 10.4, 9.7, 11.3, 10.0, 10.2]),
]
paired = []
for a, b in pairs:
    va, vb = np.array(a), np.array(b)
    r = stats.ttest_rel(va, vb)
    ci = r.confidence_interval(0.95)
    paired.append({"a": a, "b": b, "t": float(r.statistic), "p": float(r.pvalue), "df": float(r.df),
                   "difference": float((va - vb).mean()), "low": float(ci.low), "high": float(ci.high)})
out["paired"] = paired

holm = []
for ps in [[0.024, 0.30, 0.34, 0.23], [0.01, 0.04, 0.03, 0.005, 0.5], [0.2], [0.001, 0.001, 0.9],
           [0.04, 0.04, 0.04], [1e-6, 0.5, 0.02, 0.013, 0.049, 0.2, 0.7, 0.0125]]:
    rej, adj, _, _ = multipletests(ps, alpha=0.05, method="holm")
    holm.append({"p": ps, "adjusted": [float(x) for x in adj]})
out["holm"] = holm

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "paired_holm_reference.json"), "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write("\n")
print("wrote", os.path.join(here, "paired_holm_reference.json"), file=sys.stderr)
