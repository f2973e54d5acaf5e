"""Honest scores on held-out days: the model beside the naive baselines, overall and by slice."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pokewatch.model import price_band

BASELINES = ["last_price", "rolling_median_7", "seed_mean_3"]
SET_AGE_BUCKETS = [-np.inf, 90, 365, 3 * 365, np.inf]
SET_AGE_LABELS = ["<90d", "90d-1y", "1-3y", ">3y"]


def error_metrics(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    actual, predicted = np.asarray(actual, float), np.asarray(predicted, float)
    ok = np.isfinite(predicted) & np.isfinite(actual) & (actual > 0)
    ape = np.abs(predicted[ok] - actual[ok]) / actual[ok]
    return {
        "mape": float(ape.mean()) if ape.size else float("nan"),
        "median_ape": float(np.median(ape)) if ape.size else float("nan"),
        "n": int(ok.sum()),
    }


def band_coverage(actual: np.ndarray, low: np.ndarray, high: np.ndarray) -> float:
    actual = np.asarray(actual, float)
    return float(np.mean((np.asarray(low) <= actual + 1e-9) & (actual - 1e-9 <= np.asarray(high))))


def slices(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """The slices every metric is also reported by: price band, variant, set age, category."""
    age = pd.cut(frame["set_age_days"], SET_AGE_BUCKETS, labels=SET_AGE_LABELS).astype(str)
    out = {
        "price_band": pd.Series(np.asarray(price_band(np.exp(frame["log_last"]))).astype(str), index=frame.index),
        "variant": frame["variant"].astype(str),
        "set_age": age.where(frame["set_age_days"].notna(), "unknown"),
    }
    if "category_id" in frame:
        out["category"] = frame["category_id"].astype("Int64").astype(str)
    return out


def evaluate(test: pd.DataFrame, band: pd.DataFrame) -> dict:
    """Metrics of the model (with band) and of each baseline on the same held-out rows."""
    actual = test["target"].to_numpy()
    report = {"model": {**error_metrics(actual, band["fair_price"]),
                        "band_coverage": band_coverage(actual, band["fair_low"], band["fair_high"])}}
    for name in BASELINES:
        report[name] = error_metrics(actual, test[f"baseline_{name}"])
    report["slices"] = slice_metrics(test, band["fair_price"], band["fair_low"], band["fair_high"])
    return report


def slice_metrics(test: pd.DataFrame, fair, low, high) -> list[dict]:
    actual = test["target"].to_numpy()
    fair, low, high = (np.asarray(x, float) for x in (fair, low, high))
    rows = []
    for dimension, labels in slices(test).items():
        labels = labels.to_numpy()
        for label in sorted(set(labels)):
            mask = labels == label
            if mask.sum() < 20:
                continue
            base = error_metrics(actual[mask], test["baseline_last_price"].to_numpy()[mask])
            rows.append({
                "slice": dimension,
                "value": label,
                **error_metrics(actual[mask], fair[mask]),
                "band_coverage": band_coverage(actual[mask], low[mask], high[mask]),
                "last_price_mape": base["mape"],
            })
    return rows
