"""Landing: one day of one source into `pokewatch.prices` (with its sets and cards), all or nothing, idempotent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import psycopg

from pokewatch.db import copy_in
from pokewatch.landing_schema import PRICE_COLUMNS
from pokewatch.partitions import ensure_days
from pokewatch.sources.base import DayLanding, SourceError


@dataclass
class LandingResult:
    source: str
    days: int
    rows: int
    inserted: int
    updated: int
    quarantined: int = 0  # rows the data contract's warnings moved to pokewatch.quarantine


def land_prices(
    conn: psycopg.Connection, source: str, prices: pd.DataFrame, last_updated: str | None = None
) -> LandingResult:
    """Upsert price rows (with an `as_of` column) and mark each of their (category, day)s complete for the source.

    All or nothing: its own transaction on an autocommit connection, a savepoint inside the caller's.
    A row that is already there with the same values is not touched, so landing a day twice changes nothing.
    """
    with conn.transaction():
        result = _land_prices(conn, source, prices, last_updated)
        refresh_statistics(conn, prices["as_of"])
    return result


# A month partition is analysed again once a landing adds at least this share of the rows it had.
STALE_STATISTICS_SHARE = 0.1


def refresh_statistics(conn: psycopg.Connection, days: pd.Series) -> list[str]:
    """Planner statistics for what was just landed: the landings table and each month partition that has never
    been analysed or just grew by STALE_STATISTICS_SHARE. Without them PostgreSQL estimates one row for a
    freshly landed range and reads it by a nested loop (12 s instead of 0.14 s for the demo's 134 days), and
    autovacuum analyses only later. A role that does not own the tables gets a warning from PostgreSQL, no error."""
    from pokewatch.partitions import partition_name

    landed = pd.to_datetime(pd.Series(days)).dt.to_period("M").value_counts()
    names = {partition_name("prices", period.to_timestamp().date()): int(n) for period, n in landed.items()}
    sizes = dict(conn.execute("select c.relname, c.reltuples from pg_class c join pg_namespace n "
                              "on n.oid = c.relnamespace where n.nspname = 'pokewatch' and c.relname = any(%s)",
                              (list(names),)).fetchall())
    stale = sorted(name for name, added in names.items()
                   if name in sizes and (sizes[name] < 0 or added >= STALE_STATISTICS_SHARE * sizes[name]))
    for name in ["landings", *stale]:
        conn.execute(f"analyze pokewatch.{name}")
    return stale


def _land_prices(
    conn: psycopg.Connection, source: str, prices: pd.DataFrame, last_updated: str | None = None
) -> LandingResult:
    columns = ["as_of", *PRICE_COLUMNS]
    frame = prices.assign(source=source)
    if "category_id" not in frame:
        frame["category_id"] = 3
    refuse_duplicate_keys(frame)
    days = sorted(set(frame["as_of"]))
    ensure_days(conn, days)  # monthly partitions of prices (and signals, for these days) before COPY
    if not conn.execute(
        "select exists (select 1 from pokewatch.prices where source = %s and as_of = any(%s) "
        "and category_id = any(%s))", (source, days, sorted({int(c) for c in frame["category_id"]}))
    ).fetchone()[0]:
        return _land_new_days(conn, source, frame, columns, last_updated)
    conn.execute(
        "create temp table if not exists staging_prices "
        "(like pokewatch.prices including defaults) on commit delete rows"
    )
    conn.execute("truncate staging_prices")
    copy_in(conn, "staging_prices", frame, ["source", *columns])
    counts = conn.execute(
        """
        with upserted as (
            insert into pokewatch.prices as p (source, as_of, product_id, variant, set_id, category_id,
                                               low, mid, high, market, direct_low)
            select source, as_of, product_id, variant, set_id, category_id, low, mid, high, market, direct_low
            from staging_prices
            on conflict (source, product_id, variant, as_of) do update
            set set_id = excluded.set_id, category_id = excluded.category_id, low = excluded.low,
                mid = excluded.mid, high = excluded.high, market = excluded.market,
                direct_low = excluded.direct_low, collected_at = now()
            where (p.set_id, p.category_id, p.low, p.mid, p.high, p.market, p.direct_low)
                  is distinct from
                  (excluded.set_id, excluded.category_id, excluded.low, excluded.mid, excluded.high, excluded.market,
                   excluded.direct_low)
            returning p.source, p.product_id, p.variant, p.as_of
        ),
        -- `xmax = 0` cannot be read from a partitioned table; the rest of this statement still sees prices as
        -- they were before it, so a returned key that was already there is an update.
        counted as (
            select exists (select 1 from pokewatch.prices o
                           where (o.source, o.product_id, o.variant, o.as_of)
                                 = (u.source, u.product_id, u.variant, u.as_of)) as existed
            from upserted u
        )
        select count(*) filter (where not existed), count(*) filter (where existed) from counted
        """
    ).fetchone()
    # Every priced product gets a cards row (names arrive with products), so views can join on set.
    conn.execute(
        """
        insert into pokewatch.cards (product_id, set_id)
        select distinct on (product_id) product_id, set_id from staging_prices
        order by product_id, set_id
        on conflict (product_id) do nothing
        """
    )
    days = conn.execute(
        """
        insert into pokewatch.landings as l (source, category_id, as_of, rows, sets, last_updated)
        select %s, category_id, as_of, count(*), count(distinct set_id), %s from staging_prices
        group by category_id, as_of
        on conflict (source, category_id, as_of) do update
        set rows = excluded.rows, sets = excluded.sets,
            last_updated = coalesce(excluded.last_updated, l.last_updated), landed_at = now()
        returning as_of
        """,
        (source, last_updated),
    ).fetchall()
    conn.execute("truncate staging_prices")
    return LandingResult(source, len({d[0] for d in days}), len(frame), counts[0], counts[1])


def refuse_duplicate_keys(frame: pd.DataFrame) -> None:
    dup = frame.duplicated(["product_id", "variant", "as_of"], keep=False)
    if dup.any():
        first = frame[dup].iloc[0]
        raise SourceError(
            f"{int(dup.sum())} price rows share a key, e.g. product_id {first['product_id']} "
            f"variant {first['variant']!r} on {first['as_of']}: one row per card variant and day"
        )


def _land_new_days(conn: psycopg.Connection, source: str, frame: pd.DataFrame, columns: list[str],
                   last_updated: str | None) -> LandingResult:
    """Days this source never landed: COPY straight into `prices` (no staging, no upsert): the bulk path."""
    copy_in(conn, "pokewatch.prices", frame, ["source", *columns])
    cards = frame[["product_id", "set_id"]].drop_duplicates("product_id")
    conn.execute("create temp table if not exists staging_new_cards (product_id bigint, set_id bigint) on commit drop")
    copy_in(conn, "staging_new_cards", cards, ["product_id", "set_id"])
    conn.execute(
        "insert into pokewatch.cards (product_id, set_id) select product_id, set_id from staging_new_cards "
        "on conflict (product_id) do nothing"
    )
    conn.execute("drop table staging_new_cards")
    per_day = (frame.groupby(["category_id", "as_of"]).agg(rows=("product_id", "size"), sets=("set_id", "nunique"))
               .reset_index())
    with conn.cursor() as cur:
        cur.executemany(
            "insert into pokewatch.landings (source, category_id, as_of, rows, sets, last_updated) "
            "values (%s, %s, %s, %s, %s, %s) on conflict (source, category_id, as_of) do update "
            "set rows = excluded.rows, sets = excluded.sets, last_updated = excluded.last_updated, landed_at = now()",
            [(source, int(r.category_id), r.as_of, int(r.rows), int(r.sets), last_updated)
             for r in per_day.itertuples()],
        )
    return LandingResult(source, per_day["as_of"].nunique(), len(frame), len(frame), 0)


SET_COLUMNS = ["set_id", "name", "abbreviation", "series", "release_date", "modified_on", "category_id", "code"]
CARD_COLUMNS = ["product_id", "set_id", "name", "clean_name", "number", "rarity", "card_type"]


def upsert_reference(conn: psycopg.Connection, table: str, frame: pd.DataFrame, columns: list[str]) -> int:
    """Upsert `sets` or `cards` rows; a known value is never overwritten by a missing one."""
    if frame.empty:
        return 0
    key, cols = columns[0], [c for c in columns if c in frame]
    staging = f"staging_{table}"
    conn.execute(f"create temp table if not exists {staging} (like pokewatch.{table} including defaults) on commit drop")
    copy_in(conn, staging, frame, cols)
    merged = [f"coalesce(excluded.{c}, t.{c})" for c in cols]
    conn.execute(
        f"insert into pokewatch.{table} as t ({', '.join(cols)}) "
        f"select distinct on ({key}) {', '.join(cols)} from {staging} "
        f"on conflict ({key}) do update set "
        + ", ".join(f"{c} = {m}" for c, m in zip(cols, merged) if c != key)
        + f", updated_at = now() where ({', '.join('t.' + c for c in cols)}) is distinct from ({', '.join(merged)})"
    )
    conn.execute(f"drop table {staging}")
    return len(frame)


def land_day(conn: psycopg.Connection, day: DayLanding) -> LandingResult:
    """Land one source-day with its reference data, all or nothing."""
    with conn.transaction():
        return _land_day(conn, day)


def _land_day(conn: psycopg.Connection, day: DayLanding) -> LandingResult:
    upsert_reference(conn, "sets", day.sets, SET_COLUMNS)
    upsert_reference(conn, "cards", day.cards, CARD_COLUMNS)
    prices = day.prices.assign(as_of=day.as_of)
    return land_prices(conn, day.source, prices, day.last_updated)


def last_landing(conn: psycopg.Connection, source: str) -> tuple[dt.date, str | None] | None:
    return conn.execute(
        "select as_of, last_updated from pokewatch.landings where source = %s order by as_of desc limit 1", (source,)
    ).fetchone()


def is_landed(conn: psycopg.Connection, source: str, as_of: dt.date) -> bool:
    """True once a source's day has landed completely."""
    return conn.execute(
        "select exists (select 1 from pokewatch.landings where source = %s and as_of = %s)", (source, as_of)
    ).fetchone()[0]
