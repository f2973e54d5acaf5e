"""Honest scores on held-out days: the model beside the naive baselines, overall and by slice."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pokewatch.price_bands import price_band

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


def paired_skill(test: pd.DataFrame, predicted, baseline: str = "last_price", level: float = 0.90,
                 n_boot: int = 1000, seed: int = 0) -> dict[str, float]:
    """How much the model beats a baseline on the same held-out rows, with a bootstrap interval.

    skill = baseline MAPE − model MAPE, in MAPE points (> 0: the model is better), over rows where both have a
    forecast. The interval resamples whole series (a series' held-out days are not independent draws), with
    Poisson weights, and takes the central `level` quantiles. A model is better than the baseline only when the
    lower end is above zero.
    """
    actual = test["target"].to_numpy(float)
    model, naive = np.asarray(predicted, float), test[f"baseline_{baseline}"].to_numpy(float)
    ok = np.isfinite(actual) & (actual > 0) & np.isfinite(model) & np.isfinite(naive)
    diff = (np.abs(naive[ok] - actual[ok]) - np.abs(model[ok] - actual[ok])) / actual[ok]
    if not diff.size:
        return {"skill": float("nan"), "skill_low": float("nan"), "skill_high": float("nan"), "n": 0,
                "series": 0}
    series = pd.factorize(pd.MultiIndex.from_frame(test.loc[ok, ["product_id", "variant"]]))[0]
    low, high = cluster_interval(diff, series, level, n_boot, seed)
    return {"skill": float(diff.mean()), "skill_low": low, "skill_high": high, "n": int(diff.size),
            "series": int(series.max() + 1)}


def cluster_interval(values: np.ndarray, clusters: np.ndarray, level: float = 0.90, n_boot: int = 1000,
                     seed: int = 0) -> tuple[float, float]:
    """Central `level` interval of the mean of `values`, resampling whole clusters (a series, a block of days)
    with Poisson weights: rows of one cluster are not independent draws."""
    _, cluster_of = np.unique(clusters, return_inverse=True)
    sums = np.bincount(cluster_of, weights=values)
    counts = np.bincount(cluster_of).astype(float)
    rng = np.random.default_rng(seed)
    draws = []
    for start in range(0, n_boot, 100):  # 100 resamples at a time keeps memory at 100 × clusters
        weights = rng.poisson(1.0, size=(min(100, n_boot - start), len(sums))).astype(float)
        total = weights @ counts
        draws.append(((weights @ sums) / np.where(total > 0, total, 1.0))[total > 0])
    draws = np.concatenate(draws)
    tail = (1 - level) / 2
    return float(np.quantile(draws, tail)), float(np.quantile(draws, 1 - tail))


def daily_spearman(rows: pd.DataFrame, horizon: int, level: float = 0.90, seed: int = 0) -> dict:
    """Does the model rank the day's universe? Spearman between each series' predicted return (fair / market − 1)
    and its realised one (target / market − 1), per decision day; the mean over days with a block-bootstrap
    interval (blocks of `horizon` days: overlapping outcomes are not independent)."""
    frame = pd.DataFrame({"day": rows["day"].to_numpy(),
                          "predicted": rows["fair_price"].to_numpy(float) / rows["market"].to_numpy(float),
                          "realised": rows["target"].to_numpy(float) / rows["market"].to_numpy(float)}).dropna()
    ranked = frame.groupby("day")[["predicted", "realised"]].rank()
    ranked["day"] = frame["day"]
    by_day = ranked.groupby("day")
    n = by_day.size()
    rho = by_day.apply(lambda g: g["predicted"].corr(g["realised"]), include_groups=False)[n >= 20].dropna()
    if rho.empty:
        return {"spearman": float("nan"), "spearman_low": float("nan"), "spearman_high": float("nan"),
                "spearman_days": 0}
    low, high = cluster_interval(rho.to_numpy(), rho.index.to_numpy() // max(horizon, 1), level, seed=seed)
    return {"spearman": float(rho.mean()), "spearman_low": low, "spearman_high": high, "spearman_days": len(rho)}
