"""pandas peer of bench/features.ts: the same point-in-time join with merge_asof.

Usage: features-pandas.py synthetic <json params>  |  features-pandas.py flights <dir> [repeats]
Prints one JSON line: {"seconds": join time, "checksums": {...}}. Loading is not timed; sorting,
de-duplication (latest created time wins), the as-of merge, the TTL and restoring entity order are.
With `repeats`, the flights join runs that many times and the fastest is reported.
"""
import json
import sys
import time

import numpy as np
import pandas as pd


def checksums(out, columns):
    """Null count, sum and position-weighted sum per column: equal only if values and order agree."""
    weights = np.arange(1, len(out) + 1, dtype=np.float64)
    result = {"rows": int(len(out))}
    for c in columns:
        v = out[c].astype("float64").to_numpy()
        mask = ~np.isnan(v)
        result[c] = {
            "nulls": int((~mask).sum()),
            "sum": float(v[mask].sum()),
            "weighted": float((v[mask] * weights[mask]).sum()),
        }
    return result


def pit(entities, features, by, ttl, columns):
    """Latest feature row at or before each entity time within ttl, ties broken by created time."""
    feats = features.sort_values(["ts", "created"], kind="stable")
    feats = feats.drop_duplicates([by, "ts"], keep="last")
    ents = entities.reset_index(names="__row").sort_values("ts", kind="stable")
    merged = pd.merge_asof(
        ents, feats[[by, "ts", *columns]], on="ts", by=by, direction="backward",
        tolerance=ttl, allow_exact_matches=True,
    )
    return merged.sort_values("__row").reset_index(drop=True)


def synthetic(p):
    n, e, m, ttl_s, t0 = p["featureRows"], p["entities"], p["entityRows"], p["ttlSeconds"], p["t0"]
    i = np.arange(n, dtype=np.int64)
    span = p["spanSeconds"]
    ts_s = (i * 2654435761) % span
    f_float = ((i * 48271) % 100000) / 100.0
    f_float[i % 97 == 0] = np.nan
    features = pd.DataFrame({
        "entity_id": i % e,
        "ts": pd.to_datetime(t0 + ts_s, unit="s"),
        "created": pd.to_datetime(t0 + ts_s + (i * 40503) % 3600, unit="s"),
        "f_float": f_float,
        "f_int": ((i * 69621) % 1000).astype("float64"),
    })
    j = np.arange(m, dtype=np.int64)
    entities = pd.DataFrame({
        "entity_id": (j * 7919) % e,
        "ts": pd.to_datetime(t0 + (j * 2246822519) % span, unit="s"),
    })
    started = time.perf_counter()
    out = pit(entities, features, "entity_id", pd.Timedelta(seconds=ttl_s), ["f_float", "f_int"])
    seconds = time.perf_counter() - started
    return seconds, checksums(out, ["f_float", "f_int"])


def flights(directory, repeats=1):
    entities = pd.read_csv(f"{directory}/entities.csv")
    entities["ts"] = pd.to_datetime(entities["ts"], unit="ms")
    views = json.load(open(f"{directory}/views.json"))
    frames = []
    for v in views:
        f = pd.read_csv(f"{directory}/{v['name']}.csv")
        f["ts"] = pd.to_datetime(f["ts"], unit="ms")
        f["created"] = f["ts"]
        frames.append((v, f))
    best = None
    for _ in range(repeats):
        started = time.perf_counter()
        out = entities
        for v, f in frames:
            out = pit(out.drop(columns=["__row"], errors="ignore"), f, "origin",
                      pd.Timedelta(seconds=v["ttlSeconds"]), v["features"])
        seconds = time.perf_counter() - started
        best = seconds if best is None else min(best, seconds)
    return best, checksums(out, [c for v in views for c in v["features"]])


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "synthetic":
        seconds, sums = synthetic(json.loads(sys.argv[2]))
    else:
        seconds, sums = flights(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    print(json.dumps({"seconds": seconds, "checksums": sums, "pandas": pd.__version__}))
