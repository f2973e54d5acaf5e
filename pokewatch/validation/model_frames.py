"""The contract of what the model reads and writes: the scoring features and the signals before publication."""

from __future__ import annotations

import time

import pandas as pd

from pokewatch.validation import gx_runner
from pokewatch.validation.price_frame import as_date
from pokewatch.validation.report import ValidationReport, finish
from pokewatch.validation.suites import checked


def _day(frame: pd.DataFrame):
    return as_date(frame["as_of"].max()) if "as_of" in frame.columns and len(frame) else None


def validate_features(frame: pd.DataFrame, dataset: str = "features", *,
                      severities: dict[str, str] | None = None) -> ValidationReport:
    """log_last and days_observed present and finite, days_observed >= 1, flat_share_30 in [0, 1], no ±inf."""
    started = time.perf_counter()
    prepared = frame.reset_index(drop=True)
    results, quarantine, _ = gx_runner.run("features", prepared, severities=checked(severities))
    return finish(dataset, _day(prepared), len(prepared), results, quarantine, None, started)


def validate_signals(frame: pd.DataFrame, *, severities: dict[str, str] | None = None) -> ValidationReport:
    """BUY/SELL/HOLD, fair_low <= fair_price <= fair_high, confidence in [0, 1], one row per series, a model."""
    started = time.perf_counter()
    prepared = frame.reset_index(drop=True)
    if "variant" in prepared.columns:
        prepared = prepared.assign(variant=prepared["variant"].astype("object"))
    results, quarantine, _ = gx_runner.run(
        "signals", prepared, severities=checked(severities),
        sample_columns={"confidence": ["confidence"], "signal": ["signal"]},
    )
    return finish("signals", _day(prepared), len(prepared), results, quarantine, None, started)
