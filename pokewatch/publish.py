"""Publication: a run's signals appear all at once (delete + COPY in one transaction); the runs table."""

from __future__ import annotations

import datetime as dt
import uuid

import pandas as pd
import psycopg

from pokewatch.landing import copy_frame
from pokewatch.partitions import ensure_month_partitions

SIGNAL_COLUMNS = [
    "product_id", "variant", "as_of", "model_version", "market_price", "fair_price", "fair_low", "fair_high",
    "deviation_pct", "signal", "confidence", "reason", "run_id",
]


def publish_signals(conn: psycopg.Connection, signals: pd.DataFrame, as_of: dt.date, model_version: int) -> int:
    """Replace the day's signals of this model version with these, in the caller's transaction.

    Readers see the old set until commit and the new one after it, never a mix (MVCC does the swap), so the
    rows can be streamed straight into the table: no staging copy, one COPY.
    """
    rounded = signals.copy()
    for column in ("market_price", "fair_price", "fair_low", "fair_high"):
        rounded[column] = rounded[column].round(2)
    with conn.transaction():  # its own on an autocommit connection, a savepoint inside the caller's
        ensure_month_partitions(conn, "signals", as_of)  # normally there already (landing, flows)
        conn.execute("delete from pokewatch.signals where as_of = %s and model_version = %s", (as_of, model_version))
        return copy_frame(conn, "pokewatch.signals", rounded, SIGNAL_COLUMNS)


def start_run(conn: psycopg.Connection, as_of: dt.date, flow_run_id: str | None = None) -> uuid.UUID:
    run_id = uuid.uuid4()
    conn.execute(
        "insert into pokewatch.runs (run_id, flow_run_id, as_of, status) values (%s, %s, %s, 'running')",
        (run_id, flow_run_id, as_of),
    )
    return run_id


STAGE_COLUMNS = {"collect", "validate", "train", "score", "publish"}


def record_stage(conn: psycopg.Connection, run_id: uuid.UUID, stage: str, rows: int | None, seconds: float) -> None:
    if stage not in STAGE_COLUMNS:
        raise ValueError(f"unknown stage {stage!r}")
    conn.execute(
        f"update pokewatch.runs set {stage}_rows = %s, {stage}_seconds = %s where run_id = %s",
        (rows, seconds, run_id),
    )


def finish_run(conn: psycopg.Connection, run_id: uuid.UUID, status: str, *, model_version: int | None = None,
               decision: str | None = None, error: str | None = None) -> None:
    conn.execute(
        """
        update pokewatch.runs
        set status = %s, finished_at = now(), error = %s,
            model_version = coalesce(%s, model_version), decision = coalesce(%s, decision)
        where run_id = %s
        """,
        (status, error, model_version, decision, run_id),
    )
