"""Reading price history back out of the warehouse, fast (COPY … TO STDOUT into pandas)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import psycopg

from pokewatch.db import copy_out


def load_history(
    conn: psycopg.Connection, as_of: dt.date, lookback_days: int, source: str = "tcgcsv",
    product_ids: tuple[int, ...] | list[int] | None = None,
) -> pd.DataFrame:
    """Prices of completely landed days in (as_of - lookback, as_of]; half-landed days are never read.

    With `product_ids`, only those products (a scoring partition).
    """
    query = """
        select as_of, product_id, variant, set_id, category_id, low, mid, high, market
        from pokewatch.landed_prices
        where source = %s and as_of > %s and as_of <= %s
        """
    params: tuple = (source, as_of - dt.timedelta(days=lookback_days), as_of)
    if product_ids is not None:
        query += " and product_id = any(%s::bigint[])"
        params += (list(product_ids),)
    frame = copy_out(conn, query, params)
    frame["variant"] = frame["variant"].astype(str)
    # One order whatever plan PostgreSQL picks (it changes with table statistics): series are numbered in order of
    # appearance, so the same rows must always give the same panel, model and dataset digest.
    return frame.sort_values(["as_of", "product_id", "variant"], kind="stable", ignore_index=True)


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
