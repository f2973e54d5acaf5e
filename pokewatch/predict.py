"""Scoring stage: every series priced on the day, through the champion, into signals."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pokewatch import db, registry, validation
from pokewatch.features import build_panel, frame_for_days
from pokewatch.history import load_history, load_reference
from pokewatch.publish import SIGNAL_COLUMNS, publish_signals
from pokewatch.settings import Settings
from pokewatch.signals import SignalRule, decide_signals

SCORING_LOOKBACK_DAYS = 60


class NoChampion(RuntimeError):
    """No model has earned the champion alias: no signals are written."""


@dataclass
class ScoreResult:
    rows: int
    model_version: int
    counts: dict[str, int]
    seconds: float
    publish_seconds: float
    top: pd.DataFrame
    validation_summary: str = ""


def score_frame(settings: Settings, as_of: dt.date, champion: registry.Champion, run_id: uuid.UUID,
                rule: SignalRule | None = None) -> pd.DataFrame:
    """Signals for every series priced on `as_of` (features from its history up to that day only)."""
    with db.connect(settings) as conn:
        history = load_history(conn, as_of, SCORING_LOOKBACK_DAYS)
        cards, sets = load_reference(conn)
    if history.empty or pd.to_datetime(history["as_of"]).max().date() != as_of:
        raise RuntimeError(f"no landed prices for {as_of}: nothing to score")
    panel = build_panel(history, cards, sets)
    today = frame_for_days(panel, [panel.day_index(as_of)])
    validation.validate_features(today, dataset="scoring features")  # raises before anything is written
    band = champion.model.predict_band(today)
    scored = pd.concat([today, band], axis=1)
    scored = scored[np.isfinite(scored["fair_price"])]
    decision = decide_signals(scored, rule or SignalRule.from_settings(settings))
    out = pd.concat([scored, decision], axis=1)
    out["market_price"] = out["market"]
    out["model_version"] = champion.version
    out["run_id"] = str(run_id)
    out["as_of"] = as_of
    return out


def score(settings: Settings, as_of: dt.date, run_id: uuid.UUID, rule: SignalRule | None = None) -> ScoreResult:
    """Score with the champion and publish atomically; without a champion, write nothing and say why."""
    started = time.perf_counter()
    champion = registry.load_alias(settings, registry.CHAMPION)
    if champion is None:
        raise NoChampion(
            "no champion model: no model has passed the gates yet, so no signals were written "
            "(see the train stage's decision)"
        )
    signals = score_frame(settings, as_of, champion, run_id, rule)
    signals_report = validation.validate_signals(signals[SIGNAL_COLUMNS])  # the contract before publication
    publish_started = time.perf_counter()
    with db.connect(settings) as conn:
        rows = publish_signals(conn, signals, as_of, champion.version)
    publish_seconds = time.perf_counter() - publish_started
    counts = signals["signal"].value_counts().reindex(["BUY", "SELL", "HOLD"], fill_value=0).to_dict()
    gain = (signals["fair_price"] - signals["market"]).abs()
    top = pd.concat(
        [signals[signals["signal"] == s].assign(gain=gain).nlargest(5, "gain") for s in ("BUY", "SELL")]
    )
    return ScoreResult(rows, champion.version, {k: int(v) for k, v in counts.items()},
                       time.perf_counter() - started, publish_seconds,
                       top[["product_id", "variant", "signal", "market", "fair_price", "confidence", "reason"]],
                       signals_report.summary())
