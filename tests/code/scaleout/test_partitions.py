"""The warehouse partitioned by month: landing creates the months it writes, publication too; views and the
analysts' example queries read through the partitioned tables."""

from __future__ import annotations

import datetime as dt
import uuid

import pandas as pd
import pytest

from pokewatch import db, partitions
from pokewatch.landing import land_prices
from pokewatch.publish import publish_signals
from pokewatch.settings import PROJECT_DIR
from pokewatch.sources.files import read_price_history
from tests.support.warehouse import fill_signals_from_prices

QUERIES = PROJECT_DIR / "sql" / "queries"


def test_both_tables_are_partitioned_by_month_without_a_default_partition(conn):
    rows = conn.execute(
        "select c.relname, p.partstrat, pg_get_partkeydef(c.oid), p.partdefid "
        "from pg_partitioned_table p join pg_class c on c.oid = p.partrelid "
        "where c.relnamespace = 'pokewatch'::regnamespace order by 1").fetchall()
    assert rows == [("prices", "r", "RANGE (as_of)", 0), ("signals", "r", "RANGE (as_of)", 0)]
    keys = dict(conn.execute(
        "select conrelid::regclass::text, pg_get_constraintdef(oid) from pg_constraint "
        "where contype = 'p' and conrelid in ('pokewatch.prices'::regclass, 'pokewatch.signals'::regclass)"
    ).fetchall())
    assert keys == {"pokewatch.prices": "PRIMARY KEY (source, product_id, variant, as_of)",
                    "pokewatch.signals": "PRIMARY KEY (product_id, variant, as_of, model_version, horizon_days, profile)"}
    comments = conn.execute("select obj_description('pokewatch.prices'::regclass), "
                            "col_description('pokewatch.signals'::regclass, 1)").fetchone()
    assert "Partitioned by month" in comments[0] and comments[1].startswith("TCGplayer product id")


def test_landing_a_range_spanning_two_months_creates_two_partitions(conn, shared_dir):
    from tests.conftest import HISTORY_PARQUET

    history = read_price_history(HISTORY_PARQUET)
    days = [dt.date(2025, 9, 30), dt.date(2025, 10, 1)]
    frame = history[history["as_of"].isin(days)]
    frame = frame[frame["product_id"] % 20 == 0]  # a slice is enough
    assert partitions.partitions(conn, "prices") == []
    land_prices(conn, "tcgcsv", frame)
    assert partitions.partitions(conn, "prices") == ["prices_2025_09", "prices_2025_10"]
    assert partitions.partitions(conn, "signals") == ["signals_2025_09", "signals_2025_10"]
    per_partition = dict(conn.execute(
        "select tableoid::regclass::text, count(*) from pokewatch.prices group by 1").fetchall())
    assert per_partition == {"pokewatch.prices_2025_09": int((frame["as_of"] == days[0]).sum()),
                             "pokewatch.prices_2025_10": int((frame["as_of"] == days[1]).sum())}
    # idempotent: again creates nothing, and landing the same rows again changes nothing
    assert partitions.ensure_month_partitions(conn, "prices", days[0], days[1]) == []
    assert land_prices(conn, "tcgcsv", frame).inserted == 0


def test_publication_creates_its_month_and_a_later_month_never_conflicts(conn):
    day = dt.date(2026, 3, 31)
    signals = pd.DataFrame({
        "product_id": [1, 2], "variant": ["Normal", "Holofoil"], "as_of": [day, day], "model_version": [1, 1],
        "market_price": [1.0, 2.0], "fair_price": [1.0, 2.0], "fair_low": [0.9, 1.8], "fair_high": [1.1, 2.2],
        "deviation_pct": [0.0, 0.0], "signal": ["HOLD", "HOLD"], "confidence": [0.5, 0.5],
        "reason": ["within fair band"] * 2, "run_id": [str(uuid.uuid4())] * 2, "cost_share": [0.25] * 2, "horizon_days": [7] * 2,
        "profile": ["collector"] * 2, "net_return": [0.0] * 2,
    })
    assert publish_signals(conn, signals, day, 1) == 2
    assert "signals_2026_03" in partitions.partitions(conn, "signals")
    created = partitions.ensure_coming_month(conn, dt.date(2026, 3, 31))
    assert set(created) == {"prices_2026_03", "prices_2026_04", "signals_2026_04"}
    with pytest.raises(Exception, match="partitioned by month"):
        partitions.ensure_month_partitions(conn, "cards", day)


def test_month_starts_cover_the_range():
    assert partitions.month_starts(dt.date(2025, 11, 15), dt.date(2026, 2, 1)) == [
        dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    assert partitions.partition_name("prices", dt.date(2025, 10, 26)) == "prices_2025_10"


def test_views_and_example_queries_work_on_the_partitioned_tables(landed_settings):
    with db.connect(landed_settings, autocommit=True) as conn:  # a copy of the session's landed demo sample
        _views_and_queries(conn)


def _views_and_queries(conn):
    fill_signals_from_prices(conn)
    for view in ("latest_signals", "signal_history", "signal_mix_daily", "top_opportunities", "model_performance"):
        conn.execute(f"select * from pokewatch.{view} limit 5").fetchall()
    assert conn.execute("select count(distinct as_of) from pokewatch.signal_mix_daily").fetchone()[0] >= 30
    product = conn.execute("select min(product_id) from pokewatch.signals").fetchone()[0]
    for query in sorted(QUERIES.glob("*.sql")):
        text = query.read_text()
        params = {}
        if "%(product_id)s" in text:
            params["product_id"] = product
        if "%(as_of)s" in text:
            params["as_of"] = dt.date(2025, 10, 26)
        conn.execute(text, params or None).fetchall()
    # a day's read prunes to one month's partition
    plan = conn.execute("explain select * from pokewatch.signals where as_of = date '2025-10-26'").fetchall()
    scanned = " ".join(r[0] for r in plan)
    assert "signals_2025_10" in scanned and "signals_2025_09" not in scanned
