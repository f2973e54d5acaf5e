"""Publication: a run's signals appear all at once (delete + COPY in one transaction)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import psycopg

from pokewatch.db import copy_in
from pokewatch.partitions import ensure_month_partitions

SIGNAL_COLUMNS = [
    "product_id", "variant", "as_of", "model_version", "market_price", "fair_price", "fair_low", "fair_high",
    "deviation_pct", "signal", "confidence", "reason", "run_id", "cost_share", "horizon_days", "profile", "net_return",
    "return_rank_pct",
]
# What scoring hands to publication: everything but the rank, which only the whole day's set can give.
SCORED_COLUMNS = [c for c in SIGNAL_COLUMNS if c != "return_rank_pct"]


def with_rank(signals: pd.DataFrame) -> pd.DataFrame:
    """Each series' percentile (0..1] of expected return (fair / market − 1) within the day's set, per horizon and
    cost profile: 1 = the largest expected rise of the universe (ties share their average rank)."""
    expected = signals["fair_price"].astype(float) / signals["market_price"].astype(float) - 1.0
    keys = [signals["horizon_days"], signals["profile"]]
    return signals.assign(return_rank_pct=expected.groupby(keys).rank(pct=True))


def publish_signals(conn: psycopg.Connection, signals: pd.DataFrame, as_of: dt.date, model_version: int,
                    ranked: bool = True) -> int:
    """Replace the day's signals of this model version (at the horizons published) with these, in the caller's
    transaction; each ranked within the day's set unless `ranked` is False (no ranking skill: the rank is null).

    Readers see the old set until commit and the new one after it, never a mix (MVCC does the swap), so the
    rows can be streamed straight into the table: no staging copy, one COPY.
    """
    rounded = with_rank(signals) if ranked else signals.assign(return_rank_pct=None)  # no ranking skill: no rank
    for column in ("market_price", "fair_price", "fair_low", "fair_high"):
        rounded[column] = rounded[column].round(2)
    with conn.transaction():  # its own on an autocommit connection, a savepoint inside the caller's
        ensure_month_partitions(conn, "signals", as_of)  # normally there already (landing, flows)
        horizons = sorted({int(h) for h in signals["horizon_days"]})
        conn.execute("delete from pokewatch.signals where as_of = %s and model_version = %s "
                     "and horizon_days = any(%s)", (as_of, model_version, horizons))
        return copy_in(conn, "pokewatch.signals", rounded, SIGNAL_COLUMNS)
