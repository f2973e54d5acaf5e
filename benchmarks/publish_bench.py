"""Publishing a full catalogue day of signals: pokewatch.publish.publish_signals vs a plain psycopg COPY.

    uv run python benchmarks/publish_bench.py [--server postgresql://postgres@127.0.0.1/postgres] [--repeat 3]

Builds one signal per priced series of 2025-10-26 from the shared tcgcsv history (fair = market, a ±10 %
band), creates a scratch database on the server, migrates it, then times (median of --repeat, each followed
by a commit):
  * publish_signals: COPY (CSV) into the temp staging table, delete the day's rows, insert from staging
    into pokewatch.signals (primary key + (as_of, signal) index), both when the day already holds a
    publication (a re-run: 42k rows deleted too) and for a new day (the nightly case);
  * plain COPY: psycopg `copy ... from stdin` with `write_row` per row into an empty table shaped like
    pokewatch.signals (no staging, no delete, no indexes) - the floor for getting the rows into PostgreSQL.
    The rows are turned into Python tuples before the clock starts; publish_signals' timing includes its
    own DataFrame rounding and CSV encoding.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from benchmarks.common import scratch_database, settings_for
from pokewatch import db, schema
from pokewatch.publish import SIGNAL_COLUMNS, publish_signals, with_rank
from pokewatch.settings import PROJECT_DIR, Settings

HISTORY = PROJECT_DIR.parent / "shared/data/tcgcsv/tcgcsv_prices_cat3_pokemon_2025-09-21_2025-10-26.parquet"
DAY = dt.date(2025, 10, 26)


def catalogue_signals(history: Path, day: dt.date) -> pd.DataFrame:
    prices = pq.read_table(history, columns=["date", "productId", "subTypeName", "marketPrice"],
                           filters=[("date", "=", day)]).to_pandas()
    prices = prices[prices["marketPrice"] > 0].drop_duplicates(["productId", "subTypeName"])
    market = prices["marketPrice"].round(2).to_numpy()
    return pd.DataFrame({
        "product_id": prices["productId"].to_numpy(np.int64), "variant": prices["subTypeName"].to_numpy(),
        "as_of": day, "model_version": 1, "market_price": market, "fair_price": market,
        "fair_low": (market * 0.9).round(2), "fair_high": (market * 1.1).round(2), "deviation_pct": 0.0,
        "signal": "HOLD", "confidence": 0.5, "reason": "within fair band", "run_id": str(uuid.uuid4()),
        "cost_share": 0.0, "horizon_days": 7, "profile": "collector", "net_return": 0.0,
    }).pipe(with_rank)


def time_publish(settings: Settings, frame: pd.DataFrame, day: dt.date = DAY) -> float:
    frame = frame.assign(run_id=str(uuid.uuid4()), as_of=day)
    started = time.perf_counter()
    with db.connect(settings) as conn:
        publish_signals(conn, frame, day, 1)
    return time.perf_counter() - started


def time_plain_copy(settings: Settings, frame: pd.DataFrame) -> float:
    rows = list(frame[SIGNAL_COLUMNS].itertuples(index=False, name=None))
    with db.connect(settings) as conn:
        conn.execute("drop table if exists bench_plain_copy")
        conn.execute("create table bench_plain_copy (like pokewatch.signals including defaults)")
    started = time.perf_counter()
    with db.connect(settings) as conn:
        with conn.cursor().copy(f"copy bench_plain_copy ({', '.join(SIGNAL_COLUMNS)}) from stdin") as copy:
            for row in rows:
                copy.write_row(row)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", help="PostgreSQL server for the scratch database (default: see benchmarks/common.py)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    if args.server:
        os.environ["POKEWATCH_BENCH_DATABASE_URL"] = args.server
    frame = catalogue_signals(HISTORY, DAY)
    with scratch_database() as name:
        settings = settings_for(name)
        schema.migrate(settings)
        time_publish(settings, frame)  # warm-up, and the previous publication the timed runs replace
        results = {
            "publish_signals, re-run (replaces 42k rows)": [time_publish(settings, frame) for _ in range(args.repeat)],
            "publish_signals, first publication of a day": [
                time_publish(settings, frame, DAY + dt.timedelta(days=k + 1)) for k in range(args.repeat)],
            "plain COPY write_row into empty table": [time_plain_copy(settings, frame) for _ in range(args.repeat)],
        }

    print(f"{len(frame):,} signals ({DAY}, full catalogue), median of {args.repeat}")
    print(f"{'method':<46} {'median s':>9} {'rows/s':>10}   runs (s)")
    for method, seconds in results.items():
        median = statistics.median(seconds)
        print(f"{method:<46} {median:>9.3f} {len(frame) / median:>10,.0f}   "
              + ", ".join(f"{s:.3f}" for s in seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
