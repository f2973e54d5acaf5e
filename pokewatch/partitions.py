"""Monthly partitions of `prices` and `signals` (sql/migrations/0005_partitioning.sql), created ahead of need.

There is no default partition on purpose: rows of a month without its partition would land in it, and creating
that month's partition afterwards would fail. So every writer makes sure the months it writes exist first:
landing (before COPY: prices, and signals for the same days), publication (signals) and the flows (the coming
month, so the nightly normally finds the partition there and takes no lock).
"""

from __future__ import annotations

import datetime as dt

import psycopg

PARTITIONED_TABLES = ("prices", "signals")
PARTITION_LOCK_TIMEOUT = "60s"


def month_starts(first_day: dt.date, last_day: dt.date) -> list[dt.date]:
    """First days of every month from first_day's to last_day's, inclusive."""
    if last_day < first_day:
        first_day, last_day = last_day, first_day
    months, month = [], first_day.replace(day=1)
    while month <= last_day:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def partition_name(table: str, month: dt.date) -> str:
    return f"{table}_{month:%Y_%m}"


def ensure_month_partitions(conn: psycopg.Connection, table: str, first_day: dt.date,
                            last_day: dt.date | None = None) -> list[str]:
    """Create `pokewatch.<table>_YYYY_MM` for every month in [first_day, last_day] that lacks one; idempotent.

    Runs in the caller's transaction (through pokewatch.ensure_month_partition, which the writer role may call).
    A month that already has its partition costs a catalogue look-up and no lock; creating one briefly locks the
    parent table, so the flows create the coming month ahead of time. Returns the partitions created.
    """
    if table not in PARTITIONED_TABLES:
        raise ValueError(f"{table!r} is not partitioned by month: use one of {', '.join(PARTITIONED_TABLES)}")
    months = month_starts(first_day, last_day or first_day)
    missing = [m for m in months if conn.execute(
        "select to_regclass(%s) is null", (f"pokewatch.{partition_name(table, m)}",)).fetchone()[0]]
    created = []
    if missing:
        # Creating a partition waits for every open transaction on the parent (a long BI query, say): bound it.
        conn.execute(f"set local lock_timeout = '{PARTITION_LOCK_TIMEOUT}'")
    for month in missing:
        try:
            name = conn.execute("select pokewatch.ensure_month_partition(%s, %s)", (table, month)).fetchone()[0]
        except psycopg.errors.LockNotAvailable:
            raise RuntimeError(
                f"cannot create partition pokewatch.{partition_name(table, month)}: another session holds "
                f"pokewatch.{table} in an open transaction for over {PARTITION_LOCK_TIMEOUT}; end it and rerun"
            ) from None
        if name:
            created.append(name)
    return created


def ensure_days(conn: psycopg.Connection, days, tables: tuple[str, ...] = PARTITIONED_TABLES) -> list[str]:
    """Partitions for the months the given days fall in (e.g. the days a landing writes), and only those: a 2015
    row beside 2025 rows makes two partitions, not the 120 months between."""
    months = sorted({d.replace(day=1) for d in map(_as_date, days) if d is not None})
    return [name for table in tables for month in months for name in ensure_month_partitions(conn, table, month)]


def ensure_coming_month(conn: psycopg.Connection, today: dt.date) -> list[str]:
    """This month's and next month's partitions of both tables (the flows call it before they write)."""
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return [name for table in PARTITIONED_TABLES for name in ensure_month_partitions(conn, table, today, next_month)]


def partitions(conn: psycopg.Connection, table: str) -> list[str]:
    """Names of a table's partitions, oldest month first."""
    return [r[0] for r in conn.execute(
        "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid "
        "where i.inhparent = %s::regclass order by c.relname", (f"pokewatch.{table}",)).fetchall()]


def _as_date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "date") and callable(value.date):  # pandas Timestamp
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])
