"""model_metrics and save_model_metrics; every table, view and column documented; views re-created on init."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from pokewatch import model_store, schema

DAY = dt.date(2025, 10, 26)
# Tables of 0001 and 0004; tables other engineers add (quarantine, sources, ...) carry their own comments.
DOCUMENTED_TABLES = {"sets", "cards", "prices", "landings", "runs", "signals", "model_metrics"}
VIEWS = {"latest_signals", "signal_history", "signal_mix_daily", "model_performance", "top_opportunities"}

SLICES = [
    {"slice": "price_band", "value": "<$1", "mape": 0.3, "median_ape": 0.2, "n": 120, "band_coverage": 0.7,
     "last_price_mape": 0.31},
    {"slice": "variant", "value": "Holofoil", "mape": 0.1, "median_ape": 0.05, "n": 80, "band_coverage": 0.82,
     "last_price_mape": 0.12},
]
METRICS = {"mape": 0.12, "median_ape": 0.06, "n": 200, "band_coverage": 0.8, "coverage": 0.97,
           "last_price_mape": 0.13, "champion_mape": float("nan"), "mlflow_run_id": "abc123"}


def test_save_model_metrics_writes_overall_and_slice_rows_and_replaces_on_a_retry(conn):
    written = model_store.save_model_metrics(conn, DAY, 3, "abc123", True, "first model", METRICS, SLICES)
    assert written == 7 + 2 * 5  # mlflow_run_id is not a metric
    again = model_store.save_model_metrics(conn, DAY, 3, "abc123", True, "first model", METRICS, SLICES)
    assert again == written
    assert conn.execute("select count(*) from pokewatch.model_metrics").fetchone() == (written,)
    assert conn.execute(
        "select value from pokewatch.model_metrics where metric = 'champion_mape'").fetchone() == (None,)
    row = conn.execute(
        "select model_version, promoted, mape, band_coverage, test_rows, last_price_mape, champion_mape, "
        "mape_gain_vs_last_price, worst_slice, worst_slice_mape from pokewatch.model_performance").fetchone()
    assert row[:5] == (3, True, 0.12, 0.8, 200) and row[5] == 0.13 and row[6] is None
    assert math.isclose(row[7], 0.01) and row[8:] == ("price_band=<$1", 0.3)


def test_every_table_view_and_column_is_documented(conn):
    relations = conn.execute(
        """
        select c.relname, c.relkind, obj_description(c.oid, 'pg_class')
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'pokewatch' and c.relkind in ('r', 'p', 'v')
        """).fetchall()
    kinds = {name: kind for name, kind, _ in relations}
    assert VIEWS <= {n for n, k in kinds.items() if k == "v"}
    assert DOCUMENTED_TABLES <= set(kinds)
    mine = DOCUMENTED_TABLES | {n for n, k in kinds.items() if k == "v"}
    undocumented = [name for name, _, text in relations if name in mine and not text]
    assert not undocumented
    columns = conn.execute(
        """
        select c.relname, a.attname from pg_attribute a
        join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'pokewatch' and a.attnum > 0 and not a.attisdropped
          and col_description(c.oid, a.attnum) is null
        """).fetchall()
    assert [c for c in columns if c[0] in mine] == []


def test_init_twice_recreates_the_views_with_their_comments(settings, conn):
    conn.commit()
    assert schema.migrate(settings) == []
    assert schema.migrate(settings) == []
    comments = dict(conn.execute(
        "select c.relname, obj_description(c.oid, 'pg_class') from pg_class c "
        "join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'pokewatch' and c.relkind = 'v'"
    ).fetchall())
    assert VIEWS <= set(comments) and all(comments[v] for v in VIEWS)


def test_latest_signals_keeps_its_original_columns_first(conn):
    cur = conn.execute("select * from pokewatch.latest_signals limit 0")
    assert [c.name for c in cur.description][:18] == [
        "product_id", "variant", "card_name", "card_number", "rarity", "set_name", "as_of", "market_price",
        "fair_price", "fair_low", "fair_high", "deviation_pct", "signal", "confidence", "reason", "model_version",
        "run_id", "scored_at"]


@pytest.mark.parametrize("metrics", [{"mape": "oops"}, {"flag": True}])
def test_non_numbers_are_not_metrics(metrics):
    assert model_store.metric_rows(metrics, []) == []
