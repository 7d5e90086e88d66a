"""The scipy/numpy side of bench/monitoring.ts: the same PSI + KS + chi-squared over the same columns.

Usage: python3 bench/monitoring_scipy.py <data.bin> <numeric> <categorical> <rows> <categories> <bins>
Reads float64 reference then current blocks (numeric × rows each), then int32 category codes (reference
then current, categorical × rows each); prints JSON with the compute time (data loading excluded) and values.
"""
import json
import sys
import time

import numpy as np
import scipy
from scipy import stats

EPS = 1e-4


def psi(r, c):
    r = r / r.sum()
    c = c / c.sum()
    r = np.where(r == 0, EPS, r)
    c = np.where(c == 0, EPS, c)
    return float(np.sum((c - r) * np.log(c / r)))


def main():
    path, n_num, n_cat, rows, n_categories, bins = sys.argv[1], *map(int, sys.argv[2:])
    raw = np.fromfile(path, dtype=np.uint8)
    floats = raw[: 2 * n_num * rows * 8].view(np.float64).reshape(2, n_num, rows)
    codes = raw[2 * n_num * rows * 8 :].view(np.int32).reshape(2, n_cat, rows)
    out = {"numeric": [], "categorical": []}
    t0 = time.perf_counter()
    for j in range(n_num):
        r, c = floats[0, j], floats[1, j]
        ks = stats.ks_2samp(r, c)
        edges = np.unique(np.quantile(r, np.arange(1, bins) / bins))
        rc = np.bincount(np.searchsorted(edges, r, side="right"), minlength=len(edges) + 1)
        cc = np.bincount(np.searchsorted(edges, c, side="right"), minlength=len(edges) + 1)
        out["numeric"].append([float(ks.statistic), float(ks.pvalue), psi(rc, cc)])
    for j in range(n_cat):
        rc = np.bincount(codes[0, j], minlength=n_categories).astype(float)
        cc = np.bincount(codes[1, j], minlength=n_categories).astype(float)
        keep = (rc + cc) > 0
        stat, p, _, _ = stats.chi2_contingency(np.vstack([rc[keep], cc[keep]]))
        out["categorical"].append([float(stat), float(p), psi(rc, cc)])
    out["seconds"] = time.perf_counter() - t0
    out["versions"] = {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
