"""B2 publish: PokeWatch's writer vs psycopg COPY `write_row` vs pandas `to_sql`, into the same (emptied)
signals table, for the full catalogue's signals (~42k rows) and 1 M rows, in one run."""

from __future__ import annotations

import datetime as dt
import time
import uuid

import pandas as pd
import sqlalchemy as sa

from benchmarks.common import HISTORY, REPEATS, median, scratch_database, settings_for, table
from benchmarks.publish_bench import catalogue_signals
from pokewatch import db, schema
from pokewatch.partitions import ensure_month_partitions
from pokewatch.publish import SIGNAL_COLUMNS, publish_signals

DAY = dt.date(2025, 10, 26)


def _empty(settings) -> None:
    with db.connect(settings) as conn:
        ensure_month_partitions(conn, "signals", DAY)
        conn.execute("truncate pokewatch.signals")


def _pokewatch(settings, frame: pd.DataFrame) -> float:
    started = time.perf_counter()
    with db.connect(settings) as conn:
        publish_signals(conn, frame, DAY, 1)
    return time.perf_counter() - started


def _write_row(settings, frame: pd.DataFrame) -> float:
    """The reference: psycopg's COPY with one write_row per row (rows made into tuples on the clock)."""
    started = time.perf_counter()
    with db.connect(settings) as conn:
        with conn.cursor().copy(f"copy pokewatch.signals ({', '.join(SIGNAL_COLUMNS)}) from stdin") as copy:
            for row in frame[SIGNAL_COLUMNS].itertuples(index=False, name=None):
                copy.write_row(row)
    return time.perf_counter() - started


def _to_sql(settings, frame: pd.DataFrame) -> float:
    engine = sa.create_engine(db.database_url(settings).render_as_string(hide_password=False))
    started = time.perf_counter()
    frame[SIGNAL_COLUMNS].to_sql("signals", engine, schema="pokewatch", if_exists="append",
                                 index=False, chunksize=10_000, dtype={"run_id": sa.Uuid()})
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def _replicate(frame: pd.DataFrame, rows: int) -> pd.DataFrame:
    copies = -(-rows // len(frame))
    big = pd.concat([frame.assign(product_id=frame["product_id"] + k * 100_000_000) for k in range(copies)])
    return big.head(rows).reset_index(drop=True)


def run() -> tuple[str, dict]:
    catalogue = catalogue_signals(HISTORY, DAY).assign(run_id=str(uuid.uuid4()))
    sizes = {"full catalogue": catalogue, "1 M rows": _replicate(catalogue, 1_000_000)}
    writers = {"PokeWatch publish_signals": _pokewatch, "psycopg COPY write_row": _write_row,
               "pandas to_sql": _to_sql}
    rows, figures = [], {}
    with scratch_database() as name:
        settings = settings_for(name)
        schema.migrate(settings)
        for label, frame in sizes.items():
            speed = {}
            for writer, fn in writers.items():
                times = []
                for _ in range(REPEATS):
                    _empty(settings)
                    times.append(fn(settings, frame))
                speed[writer] = len(frame) / median(times)
                rows.append([label, writer, len(frame), median(times), speed[writer]])
            ours = speed["PokeWatch publish_signals"]
            figures[label] = {"vs_copy": ours / speed["psycopg COPY write_row"], "vs_to_sql": ours / speed["pandas to_sql"]}
            rows.append([label, "ratio PokeWatch / COPY write_row (target ≥ 0.8)", "", "",
                         round(figures[label]["vs_copy"], 2)])
            rows.append([label, "ratio PokeWatch / to_sql (target ≥ 3)", "", "", round(figures[label]["vs_to_sql"], 2)])
    text = table(["B2 publish", "writer", "rows", "seconds (median)", "rows/s or ratio"], rows)
    text += "\n\nAll writers write into the same partitioned, indexed pokewatch.signals table, emptied before each try."
    return text, figures
