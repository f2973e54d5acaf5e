"""Floors: what the same rows cost with nothing of PokeWatch around them — a plain COPY into an unindexed table, a
bare fit of the model's regressor, a bare predict — so each stage's gap to its floor is visible."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from benchmarks.common import timed
from pokewatch import db
from pokewatch.db import copy_in
from pokewatch.features import FEATURE_LOOKBACK_DAYS, FEATURES, build_panel, frame_for_days
from pokewatch.history import load_history, load_reference
from pokewatch.model import FairPriceModel
from pokewatch.split import time_split
from pokewatch.train import history_days


def plain_copy(settings, frame: pd.DataFrame, like: str, columns: list[str]) -> float:
    """Seconds to COPY `frame` (the same COPY writer PokeWatch uses) into an empty table shaped like `like`, with
    no key or index."""
    with db.connect(settings) as conn:
        conn.execute(f"create temp table floor (like {like} including defaults)")
        return timed(lambda: copy_in(conn, "floor", frame, columns))[0]


@dataclass
class TrainingRows:
    """The rows the training of a day fits on and the day's rows scoring predicts, as the model sees them."""

    fit_x: np.ndarray
    fit_y: np.ndarray
    today_x: np.ndarray
    features: list[str]


def training_rows(settings, day: dt.date, source: str = "tcgcsv") -> TrainingRows:
    """The same history, split, sample and features pokewatch.train uses for `day` at the settings' horizon."""
    with db.connect(settings) as conn:
        history = load_history(conn, day, history_days(settings.horizon_days, settings.holdout_days)
                               + FEATURE_LOOKBACK_DAYS, source)
        cards, sets = load_reference(conn)
    panel = build_panel(history, cards, sets)
    split = time_split(panel.day_index(day), settings.horizon_days, settings.holdout_days)
    fit = frame_for_days(panel, split.fit_days, settings.horizon_days, sample=settings.max_train_rows,
                         seed=settings.random_seed)
    today = frame_for_days(panel, [panel.day_index(day)])
    features = [f for f in FEATURES if fit[f].notna().any()]
    return TrainingRows(fit[features].to_numpy(float), FairPriceModel.log_target(fit), today[features].to_numpy(float),
                        features)


def bare_fit(rows: TrainingRows, threads: int):
    """Seconds to fit the model's regressor alone (no calibration, evaluation or logging) on `threads` threads,
    and the regressor."""
    from threadpoolctl import threadpool_limits

    model = FairPriceModel(random_state=0)
    with threadpool_limits(limits=threads):
        return timed(lambda: model._regressor(rows.features).fit(rows.fit_x, rows.fit_y))


def bare_predict(regressor, rows: TrainingRows, threads: int) -> float:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=threads):
        return timed(lambda: regressor.predict(rows.today_x))[0]
