"""Grading signals on the real demo sample: only prices landed on or before the end day, never twice, and the
track-record view's numbers recomputed here from the raw rows."""

from __future__ import annotations

import datetime as dt
import uuid

import numpy as np
import pandas as pd
import pytest

from pokewatch import db, track_record
from pokewatch.costs import load_profiles
from pokewatch.db import copy_out
from pokewatch.settings import Settings
from tests.support.templates import clone_database, drop_database, url_for

LAST = dt.date(2025, 10, 26)
SIGNAL_DAY = dt.date(2025, 10, 12)
HORIZON = 7
END = SIGNAL_DAY + dt.timedelta(days=HORIZON)
COST = 0.25
LEGACY = "legacy 25%"  # a flat round-trip cost, as signals stored before cost profiles (migration 0013) carry


def publish_signals(conn, day: dt.date, model_version: int = 1, profile: str = LEGACY) -> int:
    """One signal per priced series of the day (BUY, SELL or HOLD by product id; a real profile gets only its own
    signal besides HOLD), fair = market; a legacy profile at 25 % costs."""
    return conn.execute(
        """
        insert into pokewatch.signals (product_id, variant, as_of, model_version, market_price, fair_price, fair_low,
                                       fair_high, deviation_pct, signal, confidence, reason, run_id, cost_share,
                                       horizon_days, profile)
        select product_id, variant, as_of, %(version)s, market, market, market, market, 0,
               case when product_id %% 3 = 0 and %(profile)s <> 'seller' then 'BUY'
                    when product_id %% 3 = 1 and %(profile)s in (%(legacy)s, 'seller') then 'SELL'
                    else 'HOLD' end,
               0.5, 'test', %(run)s, %(cost)s, %(horizon)s, %(profile)s
        from pokewatch.landed_prices where source = 'tcgcsv' and as_of = %(day)s and market > 0
        on conflict (product_id, variant, as_of, model_version, horizon_days, profile) do update set scored_at = now()
        """, {"version": model_version, "run": str(uuid.uuid4()), "cost": COST if profile == LEGACY else None,
              "horizon": HORIZON, "profile": profile, "legacy": LEGACY, "day": day}).rowcount


@pytest.fixture
def landed(server_url, demo_template, tmp_path):
    """A copy of the session's landed demo sample (tests/support/templates.py)."""
    name = clone_database(server_url, demo_template)
    settings = Settings(home=tmp_path / "home", database_url=url_for(server_url, name))
    with db.connect(settings, autocommit=True) as connection:
        yield connection
    drop_database(server_url, name)


def outcomes(conn) -> pd.DataFrame:
    return copy_out(conn, "select * from pokewatch.signal_outcomes order by product_id, variant, as_of")


def test_a_signal_is_graded_only_once_its_end_day_has_landed_and_only_by_prices_up_to_it(landed):
    conn = landed
    published = publish_signals(conn, SIGNAL_DAY)
    assert published > 1000

    # The day before the end day: the horizon has not ended, nothing is graded.
    early = track_record.grade(conn, END - dt.timedelta(days=1), "tcgcsv")
    assert early.graded == 0 and outcomes(conn).empty

    # Later prices exist (the sample goes on to 2025-10-26): poison them; grading must not read them.
    conn.execute("update pokewatch.prices set market = market * 1000 where as_of > %s", (END,))
    graded = track_record.grade(conn, LAST, "tcgcsv")
    got = outcomes(conn)
    assert graded.graded == len(got) > 0.9 * published

    prices = copy_out(conn, "select product_id, variant, as_of, market from pokewatch.landed_prices "
                            "where source = 'tcgcsv' and as_of > %s and as_of <= %s and market > 0", (SIGNAL_DAY, END))
    prices["as_of"] = pd.to_datetime(prices["as_of"]).dt.date
    expected = (prices.sort_values("as_of").groupby(["product_id", "variant"]).last().reset_index()
                .rename(columns={"as_of": "expected_day", "market": "expected_price"}))
    merged = got.merge(expected, on=["product_id", "variant"], how="left")
    assert merged["expected_price"].notna().all()
    assert (pd.to_datetime(merged["realised_day"]).dt.date == merged["expected_day"]).all()
    assert np.allclose(merged["realised_price"].astype(float), merged["expected_price"].astype(float))
    assert (pd.to_datetime(got["realised_day"]).dt.date <= END).all()
    assert (pd.to_datetime(got["end_day"]).dt.date == END).all()

    # Net returns after the signal's own costs, the backtest's arithmetic; HOLD is right when no trade would pay.
    move = got["realised_price"].astype(float) / got["market_price"].astype(float) - 1
    assert np.allclose(got["market_move"], move)
    buy, sell, hold = (got["signal"] == s for s in ("BUY", "SELL", "HOLD"))
    assert np.allclose(got.loc[buy, "net_return"], move[buy] - COST)
    assert np.allclose(got.loc[sell, "net_return"], -move[sell] - COST)
    assert got.loc[hold, "net_return"].isna().all()
    assert (got.loc[hold, "hit"] == (move[hold] <= COST)).all()  # buying would not have paid its costs
    assert (got.loc[buy | sell, "hit"] == (got.loc[buy | sell, "net_return"] > 0)).all()


def test_a_cost_profile_s_signals_are_graded_with_its_own_fees(landed):
    conn = landed
    publish_signals(conn, SIGNAL_DAY, profile="flipper")
    publish_signals(conn, SIGNAL_DAY, profile="seller")
    assert track_record.grade(conn, LAST, "tcgcsv").graded > 1000
    got = outcomes(conn)
    profiles = load_profiles(conn)
    for name, rows in got.groupby("profile"):
        market, realised = rows["market_price"].astype(float), rows["realised_price"].astype(float)
        trade = profiles[name].net_return(market.to_numpy(), realised.to_numpy())
        assert np.allclose(rows["trade_return"], trade)  # the fee model, not a flat share
        traded = rows["signal"] != "HOLD"
        assert set(rows.loc[traded, "signal"]) == {profiles[name].signal}
        assert np.allclose(rows.loc[traded, "net_return"], trade[traded.to_numpy()])
        assert (rows.loc[~traded, "hit"] == (trade[~traded.to_numpy()] <= 0)).all()
    # a card whose price stood still: the flipper lost its fees, the seller (fees either way) about nothing
    still = got[got["market_move"] == 0]
    assert (still.loc[still["profile"] == "flipper", "trade_return"] < -0.1).all()
    assert still.loc[still["profile"] == "seller", "trade_return"].abs().max() < 1e-9


def test_an_end_day_that_has_not_landed_grades_nothing(landed):
    conn = landed
    publish_signals(conn, SIGNAL_DAY)
    conn.execute("delete from pokewatch.landings where source = 'tcgcsv' and as_of = %s", (END,))
    assert track_record.grade(conn, LAST, "tcgcsv").graded == 0


def test_grading_again_or_republishing_a_day_never_doubles_outcomes(landed):
    conn = landed
    publish_signals(conn, SIGNAL_DAY)
    first = track_record.grade(conn, LAST, "tcgcsv").graded
    again = track_record.grade(conn, LAST, "tcgcsv").graded
    assert first > 0 and again == 0 and len(outcomes(conn)) == first
    publish_signals(conn, SIGNAL_DAY)  # the day scored again (newer scored_at): graded again, replaced
    regraded = track_record.grade(conn, LAST, "tcgcsv").graded
    assert regraded == first and len(outcomes(conn)) == first


def test_the_track_record_view_matches_the_raw_outcomes(landed):
    conn = landed
    publish_signals(conn, SIGNAL_DAY)
    publish_signals(conn, SIGNAL_DAY + dt.timedelta(days=1))
    track_record.grade(conn, LAST, "tcgcsv")
    raw = outcomes(conn)
    view = copy_out(conn, "select * from pokewatch.signal_track_record where price_band = 'all'")
    assert sorted(view["signal"]) == ["BUY", "HOLD", "SELL"]
    all_buy = (raw["market_move"] - COST).mean()
    for r in view.itertuples():
        rows = raw[raw["signal"] == r.signal]
        assert r.n == len(rows) and r.days == 2
        assert r.hit_rate == pytest.approx(rows["hit"].mean())
        if r.signal != "HOLD":
            assert r.mean_net_return == pytest.approx(rows["net_return"].mean())
            assert r.median_net_return == pytest.approx(rows["net_return"].median())
        assert r.always_trade_mean_net_return == pytest.approx(all_buy)  # same days: every graded signal
        assert r.always_hold_hit_rate == pytest.approx((raw["market_move"] <= COST).mean())
    bands = copy_out(conn, "select price_band, sum(n) as n from pokewatch.signal_track_record "
                           "where price_band <> 'all' group by price_band")
    assert bands["n"].sum() == len(raw) and set(bands["price_band"]) <= {"<$1", "$1-5", "$5-20", "$20-100", ">$100"}


def test_model_performance_shows_the_live_error_beside_last_price(landed):
    conn = landed
    publish_signals(conn, SIGNAL_DAY, model_version=3)
    conn.execute("update pokewatch.signals set fair_price = market_price * 1.1, fair_high = market_price * 1.1 "
                 "where as_of = %s", (SIGNAL_DAY,))
    conn.execute("insert into pokewatch.model_metrics (as_of, model_version, mlflow_run_id, promoted, reason, "
                 "slice_dimension, slice_value, metric, value) values (%s, 3, 'r', true, 'test', 'overall', 'all', "
                 "'mape', 0.05)", (SIGNAL_DAY,))
    track_record.grade(conn, LAST, "tcgcsv")
    raw = outcomes(conn)
    realised = raw["realised_price"].astype(float)
    row = conn.execute("select live_rows, live_mape, live_last_price_mape, live_through "
                       "from pokewatch.model_performance where model_version = 3").fetchone()
    assert row[0] == len(raw)
    assert row[1] == pytest.approx((raw["fair_price"].astype(float) - realised).abs().div(realised).mean(), rel=1e-6)
    assert row[2] == pytest.approx((raw["market_price"].astype(float) - realised).abs().div(realised).mean(), rel=1e-6)
    assert row[3] == END
