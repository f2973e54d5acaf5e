"""Dashboard filters use an index on realistically sized data: the demo sample (67k prices) and a month of
signals built from it (fair = market; 1 in 50 BUY, 1 in 50 SELL), after ANALYZE, planner settings untouched."""

from __future__ import annotations

import json

import psycopg
import pytest
from sqlalchemy.engine import make_url

from pokewatch import db
from tests.support.templates import clone_database, drop_database, url_for
from tests.support.warehouse import fill_signals_from_prices

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def month(server_url, demo_template):
    """A copy of the session's landed demo sample with a month of signals, analyzed; read-only for the module
    (each test only asks the planner)."""
    name = clone_database(server_url, demo_template)
    try:
        with psycopg.connect(db.libpq_conninfo(make_url(url_for(server_url, name))), autocommit=True) as conn:
            yield _month(conn)
    finally:
        drop_database(server_url, name)


def _month(conn):
    fill_signals_from_prices(conn)
    conn.execute("analyze pokewatch.prices")
    conn.execute("analyze pokewatch.signals")
    conn.execute("analyze pokewatch.cards")
    conn.execute("analyze pokewatch.sets")
    sizes = conn.execute("select (select count(*) from pokewatch.prices), (select count(*) from pokewatch.signals), "
                         "(select count(distinct as_of) from pokewatch.signals)").fetchone()
    assert sizes[0] > 60_000 and sizes[1] > 40_000 and sizes[2] >= 30
    return conn


_CONN = None


def plan(conn, query: str, params=None) -> str:
    global _CONN
    _CONN = conn
    rows = conn.execute(f"explain (format json) {query}", params).fetchone()[0]
    return json.dumps(rows)


def indexes_in(text: str) -> set[str]:
    """Index names in a plan; an index of a partition counts as its partitioned parent index too."""
    found = _plan_indexes(text)
    if _CONN is not None and found:
        parents = _CONN.execute(
            """
            select child.relname, parent.relname from pg_inherits i
            join pg_class child on child.oid = i.inhrelid join pg_class parent on parent.oid = i.inhparent
            where child.relkind = 'i' and child.relname = any(%s)
            """, (list(found),)).fetchall()
        found |= {parent for _, parent in parents}
    return found


def _plan_indexes(text: str) -> set[str]:
    found, data = set(), json.loads(text)

    def walk(node):
        if isinstance(node, dict):
            if "Index Name" in node:
                found.add(node["Index Name"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    return found


def some_product(conn) -> int:
    return conn.execute("select product_id from pokewatch.prices group by 1 order by count(*) desc, 1 limit 1"
                        ).fetchone()[0]


def test_a_cards_price_history_uses_the_product_index(month):
    product = some_product(month)
    text = plan(month, "select as_of, variant, market from pokewatch.prices where product_id = %s order by as_of",
                (product,))
    # the product index, or the primary key (source, product_id, ...) whose first column holds one value: the
    # planner picks either by partition size (the sample's long sealed history has many small partitions)
    assert indexes_in(text) & {"prices_product_as_of_idx", "prices_pkey"}
    assert "Seq Scan" not in text


def test_a_sets_prices_over_a_week_use_the_set_index(month):
    set_id = month.execute("select set_id from pokewatch.prices group by 1 order by count(*) limit 1").fetchone()[0]
    used = indexes_in(plan(month, "select as_of, product_id, market from pokewatch.prices "
                                  "where set_id = %s and as_of >= date '2025-10-20'", (set_id,)))
    assert "prices_set_as_of_idx" in used


def test_todays_buys_use_the_day_and_signal_index(month):
    used = indexes_in(plan(month, "select * from pokewatch.signals where as_of = date '2025-10-26' "
                                  "and signal = 'BUY'"))
    assert "signals_as_of_signal_idx" in used
    used = indexes_in(plan(month, "select * from pokewatch.top_opportunities where signal = 'BUY'"))
    assert "signals_as_of_signal_idx" in used


def test_a_cards_signal_history_uses_the_primary_key(month):
    product = some_product(month)
    used = indexes_in(plan(month, "select * from pokewatch.signal_history where product_id = %s", (product,)))
    assert "signals_pkey" in used


def test_card_search_by_name_prefix_uses_the_name_index(month):
    used = indexes_in(plan(month, "select product_id, name from pokewatch.cards where lower(name) like 'mew%'"))
    assert "cards_lower_name_idx" in used


def test_the_signal_mix_of_a_month_reads_only_that_month(month):
    """The day filter reaches the signals scan (pushed through the view), so a year of history is not read."""
    scans = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("Relation Name", "").startswith("signals"):  # the table, or its monthly partitions
                scans.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(plan(month, "select * from pokewatch.signal_mix_daily where as_of > date '2025-10-19'")))
    assert scans and all("2025-10-19" in (s.get("Index Cond", "") + s.get("Recheck Cond", "") + s.get("Filter", "")) for s in scans)


def test_flipped_today_reads_today_by_index_and_looks_back_by_primary_key(month):
    from tests.code.sql.conftest import QUERIES

    used = indexes_in(plan(month, (QUERIES / "flipped_today.sql").read_text()))
    assert {"signals_as_of_signal_idx", "signals_pkey"} <= used
