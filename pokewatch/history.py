"""Reading price history back out of the warehouse, fast (COPY … TO STDOUT into pandas)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

import pandas as pd
import psycopg

from pokewatch.db import copy_out

# While shared_window() is open: (database, source, day) -> (lookback_days, the first whole-catalogue window), and
# ("derived", …) -> what shared() computed.
_SHARED: dict[tuple, object] | None = None
_SHARED_LOCK = threading.Lock()  # scoring partitions read from threads
T = TypeVar("T")


@contextlib.contextmanager
def shared_window() -> Iterator[None]:
    """Inside this block, a history read is served from the first whole-catalogue window of the same database,
    source and day read in it, when that window covers it (sliced to its days and products).

    The nightly's stages after validation read the same landed prices five or more times (training at each
    horizon, scoring, alerts, drift: ~3.5 s each on the full catalogue). Only for a block that holds the writer
    lock and lands, quarantines or deletes no price: what it reads cannot change under it.
    """
    global _SHARED
    with _SHARED_LOCK:
        outer, _SHARED = _SHARED, ({} if _SHARED is None else _SHARED)
    try:
        yield
    finally:
        with _SHARED_LOCK:
            _SHARED = outer


def shared(key: tuple, compute: Callable[[], T]) -> T:
    """`compute()` once per key inside shared_window() (something derived from the landed prices only, such as a
    day's scoring features, which every horizon scores), every time outside it."""
    with _SHARED_LOCK:
        held = _SHARED.get(("derived", *key)) if _SHARED is not None else None
    if held is not None:
        return held
    value = compute()
    with _SHARED_LOCK:
        if _SHARED is not None:
            _SHARED[("derived", *key)] = value
    return value


def load_history(
    conn: psycopg.Connection, as_of: dt.date, lookback_days: int, source: str = "tcgcsv",
    product_ids: tuple[int, ...] | list[int] | None = None,
) -> pd.DataFrame:
    """Prices of completely landed days in (as_of - lookback, as_of]; half-landed days are never read.

    With `product_ids`, only those products (a scoring partition). Inside shared_window(), from its window.
    """
    key = (conn.info.host, conn.info.port, conn.info.dbname, source, as_of)
    with _SHARED_LOCK:
        held = _SHARED.get(key) if _SHARED is not None else None
    if held is not None and held[0] >= lookback_days:
        frame = held[1]
        keep = frame["as_of"] > as_of - dt.timedelta(days=lookback_days)
        if product_ids is not None:
            keep &= frame["product_id"].isin(list(product_ids))
        return frame[keep].reset_index(drop=True)
    if _SHARED is not None and product_ids is None and held is None:
        # The first whole-catalogue read is kept (the primary training's window); a wider one later (a longer
        # horizon, the walk-forward's year) is read and let go, so the block never holds more than training did.
        frame = _read_history(conn, as_of, lookback_days, source, None)
        with _SHARED_LOCK:
            if _SHARED is not None:
                _SHARED.setdefault(key, (lookback_days, frame))
        return frame.copy(deep=False)
    return _read_history(conn, as_of, lookback_days, source, product_ids)


def _read_history(conn: psycopg.Connection, as_of: dt.date, lookback_days: int, source: str,
                  product_ids: tuple[int, ...] | list[int] | None) -> pd.DataFrame:
    query = """
        select as_of, product_id, variant, set_id, category_id, low, mid, high, market
        from pokewatch.landed_prices
        where source = %s and as_of > %s and as_of <= %s
        """
    params: tuple = (source, as_of - dt.timedelta(days=lookback_days), as_of)
    if product_ids is not None:
        query += " and product_id = any(%s::bigint[])"
        params += (list(product_ids),)
    # One order whatever plan PostgreSQL picks (it changes with table statistics): series are numbered in order of
    # appearance, so the same rows must always give the same panel, model and dataset digest. (as_of, product_id,
    # variant) is unique within a source; strings sort by code point, as pandas sorts them.
    frame = copy_out(conn, query, params, sort_by=["as_of", "product_id", "variant"])
    frame["variant"] = frame["variant"].astype(str)
    return frame


def load_reference(conn: psycopg.Connection) -> tuple[pd.DataFrame, pd.DataFrame]:
    cards = copy_out(conn, "select product_id, set_id, name, number, rarity from pokewatch.cards")
    sets = copy_out(conn, "select set_id, name, release_date from pokewatch.sets")
    return cards, sets


def day_series(conn: psycopg.Connection, as_of: dt.date, source: str = "tcgcsv") -> pd.DataFrame:
    """Series (product_id, variant) landed on the day, and whether they have a market price (`priced`): the
    priced ones are what scoring scores; the others ("no price today") are counted."""
    return copy_out(
        conn,
        """
        select product_id, variant, market is not null and market > 0 as priced
        from pokewatch.landed_prices where source = %s and as_of = %s
        """,
        (source, as_of),
    )


def set_first_seen(conn: psycopg.Connection, as_of: dt.date, lookback_days: int,
                   source: str = "tcgcsv") -> dict[int, str]:
    """First landed day of every set in the scoring window (the release-date fallback of features.build_panel)."""
    frame = copy_out(
        conn,
        """
        select set_id, min(as_of) as first_seen
        from pokewatch.landed_prices
        where source = %s and as_of > %s and as_of <= %s and set_id is not null
        group by set_id
        """,
        (source, as_of - dt.timedelta(days=lookback_days), as_of),
    )
    return {int(s): str(d) for s, d in zip(frame["set_id"], frame["first_seen"])}
