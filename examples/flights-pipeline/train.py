"""Train: least-squares fit of delay ~ distance + hour (normal equations, no dependencies).

A command step: gyre passes its context (inputs, outputs, params) in the JSON file named by
GYRE_STEP_CONTEXT and collects metrics from GYRE_METRICS_FILE. GYRE_RUN_ID names the step's tracking run,
so MLflow-style logging can target it as well.
"""
import csv
import json
import os

ctx = json.load(open(os.environ["GYRE_STEP_CONTEXT"]))
rows = list(csv.DictReader(open(ctx["inputs"]["data"])))
X = [[1.0, float(r["distance"]), float(r["hour"])] for r in rows]
y = [float(r["delay"]) for r in rows]
ridge = float(ctx["params"]["ridge"])

xtx = [[sum(a[i] * a[j] for a in X) + (ridge if i == j and i > 0 else 0.0) for j in range(3)] for i in range(3)]
xty = [sum(a[i] * t for a, t in zip(X, y)) for i in range(3)]


def solve(a, b):
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * z for x, z in zip(m[r], m[c])]
    return [m[i][n] / m[i][i] for i in range(n)]


coef = solve(xtx, xty)
mean = sum(y) / len(y)
json.dump({"coef": coef, "mean": mean}, open(ctx["outputs"]["model"], "w"))
mse = sum((coef[0] + coef[1] * a[1] + coef[2] * a[2] - t) ** 2 for a, t in zip(X, y)) / len(y)
json.dump({"train_mse": mse, "rows": len(y)}, open(os.environ["GYRE_METRICS_FILE"], "w"))
print(f"fitted on {len(y)} flights: delay = {coef[0]:.2f} + {coef[1]:.5f}*distance + {coef[2]:.3f}*hour")
