"""Figures for the MLflow run of a trained model (matplotlib, Agg backend, imported only when plotting)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pokewatch.price_bands import PRICE_BAND_LABELS, price_band


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def training_figures(test: pd.DataFrame, band: pd.DataFrame, signals: pd.Series | None = None) -> dict:
    """name -> Figure: predicted vs actual, residuals by price band, band coverage by band, signal mix."""
    plt = _pyplot()
    actual = test["target"].to_numpy(float)
    fair = band["fair_price"].to_numpy(float)
    labels = np.asarray(price_band(np.exp(test["log_last"].to_numpy(float))).astype(str))
    figures = {}

    fig, ax = plt.subplots(figsize=(5, 5))
    ok = np.isfinite(fair) & (actual > 0)
    rng = np.random.default_rng(0)
    pick = rng.choice(np.flatnonzero(ok), size=min(20_000, int(ok.sum())), replace=False) if ok.any() else []
    ax.scatter(actual[pick], fair[pick], s=2, alpha=0.3)
    lo, hi = (float(np.nanmin(actual[ok])), float(np.nanmax(actual[ok]))) if ok.any() else (0.01, 1.0)
    ax.plot([lo, hi], [lo, hi], color="black", linewidth=0.8)
    ax.set(xscale="log", yscale="log", xlabel="actual (median market, next days) $", ylabel="fair price $",
           title="Predicted vs actual (held-out days)")
    figures["predicted_vs_actual"] = fig

    residual = np.log(fair / actual)
    present = [b for b in PRICE_BAND_LABELS if (labels == b).any()]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.boxplot([residual[(labels == b) & ok] for b in present], tick_labels=present, showfliers=False)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set(ylabel="log(fair / actual)", title="Residuals by price band")
    figures["residuals_by_band"] = fig

    inside = (band["fair_low"].to_numpy(float) <= actual + 1e-9) & (actual - 1e-9 <= band["fair_high"].to_numpy(float))
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.bar(present, [inside[labels == b].mean() for b in present])
    ax.axhline(0.8, color="black", linestyle="--", linewidth=0.8)
    ax.set(ylim=(0, 1), ylabel="share of actuals inside the band", title="Band coverage by price band")
    figures["band_coverage"] = fig

    if signals is not None:
        counts = pd.Series(signals).value_counts().reindex(["BUY", "SELL", "HOLD"], fill_value=0)
        fig, ax = plt.subplots(figsize=(5, 4))
        ax.bar(counts.index, counts.to_numpy())
        ax.set(yscale="log", ylabel="series (log scale)", title="Signal mix on the held-out days")
        for i, v in enumerate(counts.to_numpy()):
            ax.text(i, max(v, 1), f"{v:,}", ha="center", va="bottom")
        figures["signal_mix"] = fig
    return figures


def close(figures: dict) -> None:
    plt = _pyplot()
    for figure in figures.values():
        plt.close(figure)
