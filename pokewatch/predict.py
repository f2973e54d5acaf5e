"""Scoring stage: every series priced on the day, through the champion, into signals.

Scoring splits into partitions (pokewatch.scaleout: by a stable hash of product_id), each scored on its own by
`score_partition` (features from its own rows, the champion loaded once per process); the partitions' signals
are concatenated, validated and published in ONE transaction, so a run's signals still appear all at once.
`score` does all of it in this process; flows/score.py runs the partitions as Prefect tasks on threads or Dask.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from pokewatch import db, registry, scaleout, validation
from pokewatch.features import HISTORY_WINDOW_DAYS, build_panel, frame_for_days
from pokewatch.history import load_history, load_reference
from pokewatch.publish import SIGNAL_COLUMNS, publish_signals
from pokewatch.settings import Settings
from pokewatch.signals import SignalRule, decide_signals

# Twice the longest feature window: carried-forward prices at the window's start match what training saw.
SCORING_LOOKBACK_DAYS = 2 * HISTORY_WINDOW_DAYS
# Columns a partition hands back: what is published, plus the market price for the run's summary.
PARTITION_COLUMNS = [*SIGNAL_COLUMNS, "market"]
_VALIDATION_LOCK = threading.Lock()  # Great Expectations contexts are not shared safely between threads


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
    partitions: int = 1


def champion_version(settings: Settings) -> int:
    """The champion's version number, without loading the model; NoChampion if none has earned the alias."""
    from mlflow.exceptions import MlflowException

    client = registry.mlflow_client(settings)
    try:
        return int(client.get_model_version_by_alias(settings.model_name, registry.CHAMPION).version)
    except MlflowException:
        raise NoChampion(
            "no champion model: no model has passed the gates yet, so no signals were written "
            "(see the train stage's decision)"
        ) from None


@lru_cache(maxsize=4)
def _load_model(tracking_uri: str, model_name: str, version: int):
    import mlflow

    mlflow.set_tracking_uri(tracking_uri)
    return mlflow.sklearn.load_model(f"models:/{model_name}/{version}")


def load_model(settings: Settings, version: int):
    """The registered model of that version, loaded once per process (a Dask worker reuses it across partitions)."""
    registry.mlflow_client(settings)  # tracking URI and experiment as everywhere else
    return _load_model(settings.tracking_uri, settings.model_name, int(version))


def _signals_for(settings: Settings, as_of: dt.date, history: pd.DataFrame, cards: pd.DataFrame,
                 sets: pd.DataFrame, model, version: int, run_id: uuid.UUID, rule: SignalRule | None) -> pd.DataFrame:
    if history.empty or pd.to_datetime(history["as_of"]).max().date() != as_of:
        raise RuntimeError(f"no landed prices for {as_of}: nothing to score")
    panel = build_panel(history, cards, sets)
    today = frame_for_days(panel, [panel.day_index(as_of)])
    with _VALIDATION_LOCK:
        validation.validate_features(today, dataset="scoring features")  # raises before anything is written
    band = model.predict_band(today)
    scored = pd.concat([today, band], axis=1)
    scored = scored[np.isfinite(scored["fair_price"])]
    decision = decide_signals(scored, rule or SignalRule.from_settings(settings))
    out = pd.concat([scored, decision], axis=1)
    out["market_price"] = out["market"]
    out["model_version"] = version
    out["run_id"] = str(run_id)
    out["as_of"] = as_of
    return out


def score_frame(settings: Settings, as_of: dt.date, champion: registry.Champion, run_id: uuid.UUID,
                rule: SignalRule | None = None) -> pd.DataFrame:
    """Signals (with every feature) for every series priced on `as_of`, in one piece (features from its history
    up to that day only)."""
    with db.connect(settings) as conn:
        history = load_history(conn, as_of, SCORING_LOOKBACK_DAYS)
        cards, sets = load_reference(conn)
    return _signals_for(settings, as_of, history, cards, sets, champion.model, champion.version, run_id, rule)


def score_partition(settings: Settings, as_of: dt.date, version: int, run_id: uuid.UUID,
                    product_ids: tuple[int, ...] | None, rule: SignalRule | None = None,
                    set_first_seen: dict[int, str] | None = None, source: str = "tcgcsv",
                    history: pd.DataFrame | None = None) -> pd.DataFrame:
    """Signals of one partition's products (all products with product_ids=None): its own history (read here
    unless given), reference data, features, the model of `version` (loaded once per process), band and
    decision. Writes nothing."""
    with db.connect(settings) as conn:
        if history is None:
            history = load_history(conn, as_of, SCORING_LOOKBACK_DAYS, source, product_ids)
        cards, sets = load_reference(conn)
    if product_ids is not None:
        cards = cards[cards["product_id"].isin(product_ids)]
    sets = scaleout.sets_with_first_seen(sets, set_first_seen or {})
    model = load_model(settings, version)
    out = _signals_for(settings, as_of, history, cards, sets, model, version, run_id, rule)
    return out[PARTITION_COLUMNS].reset_index(drop=True)


def plan(settings: Settings, as_of: dt.date, source: str = "tcgcsv") -> scaleout.ScoringPlan:
    with db.connect(settings) as conn:
        return scaleout.plan_day(conn, as_of, scaleout.partition_size(settings), SCORING_LOOKBACK_DAYS, source)


def publish(settings: Settings, parts: list[pd.DataFrame], as_of: dt.date, version: int, started: float,
            partitions: int = 1) -> ScoreResult:
    """Concatenate the partitions' signals, validate them as one set and publish them in one transaction."""
    signals = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=PARTITION_COLUMNS)
    if signals.empty:
        raise RuntimeError(f"no series scored for {as_of}: nothing to publish")
    signals_report = validation.validate_signals(signals[SIGNAL_COLUMNS])  # the contract before publication
    publish_started = time.perf_counter()
    with db.connect(settings) as conn:
        rows = publish_signals(conn, signals, as_of, version)
    publish_seconds = time.perf_counter() - publish_started
    counts = signals["signal"].value_counts().reindex(["BUY", "SELL", "HOLD"], fill_value=0).to_dict()
    gain = (signals["fair_price"] - signals["market"]).abs()
    top = pd.concat(
        [signals[signals["signal"] == s].assign(gain=gain).nlargest(5, "gain") for s in ("BUY", "SELL")]
    )
    return ScoreResult(rows, version, {k: int(v) for k, v in counts.items()},
                       time.perf_counter() - started, publish_seconds,
                       top[["product_id", "variant", "signal", "market", "fair_price", "confidence", "reason"]],
                       signals_report.summary(), partitions)


def score(settings: Settings, as_of: dt.date, run_id: uuid.UUID, rule: SignalRule | None = None) -> ScoreResult:
    """Score with the champion and publish atomically; without a champion, write nothing and say why.

    In this process, one partition after the other (the flow runs them in parallel on its task runner).
    """
    started = time.perf_counter()
    version = champion_version(settings)
    scoring = plan(settings, as_of)
    if not scoring.partitions:
        raise RuntimeError(f"no landed prices for {as_of}: nothing to score")
    # One process: read the window once and hand each partition its slice (a query per partition would scan
    # the window once per partition).
    with db.connect(settings) as conn:
        history = load_history(conn, as_of, SCORING_LOOKBACK_DAYS)
    parts = [score_partition(settings, as_of, version, run_id, p.product_filter, rule, scoring.set_first_seen,
                             history=history if p.product_filter is None
                             else history[history["product_id"].isin(p.product_filter)])
             for p in scoring.partitions]
    return publish(settings, parts, as_of, version, started, len(scoring.partitions))
