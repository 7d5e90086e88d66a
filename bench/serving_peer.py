"""The peer for bench/serving.ts: an equivalent scikit-learn flights model served the way `mlflow models serve`
does (FastAPI + uvicorn, pandas DataFrame in, `{"predictions": ...}` out).

Run by the bench as `python3 -m uvicorn serving_peer:app --app-dir bench --workers N --port P`; the training
rows come from the CSV named by GYRE_BENCH_TRAIN (distance, hour, origin, destination, delayed). Each worker
fits the model at import: a standardised-numeric + one-hot (top 40 categories) logistic regression, the same
preprocessing as gyre's exported ONNX graph.
"""

import os

import pandas as pd
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

FEATURES = ["distance", "hour", "origin", "destination"]

train = pd.read_csv(os.environ["GYRE_BENCH_TRAIN"])
model = Pipeline(
    [
        (
            "pre",
            ColumnTransformer(
                [
                    ("num", StandardScaler(), ["distance", "hour"]),
                    (
                        "cat",
                        OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=41),
                        ["origin", "destination"],
                    ),
                ]
            ),
        ),
        ("clf", LogisticRegression(max_iter=200)),
    ]
).fit(train[FEATURES], train["delayed"])

app = FastAPI()


@app.get("/ping")
async def ping():
    return JSONResponse(content="\n")


@app.post("/invocations")
async def invocations(request: Request):
    body = await request.json()
    if "dataframe_split" in body:
        split = body["dataframe_split"]
        df = pd.DataFrame(split["data"], columns=split["columns"])
    elif "dataframe_records" in body:
        df = pd.DataFrame(body["dataframe_records"])
    else:
        return JSONResponse(status_code=400, content={"error_code": "BAD_REQUEST", "message": "unsupported format"})
    probabilities = model.predict_proba(df[FEATURES])[:, 1]
    return {"predictions": [{"probability": float(p)} for p in probabilities]}
