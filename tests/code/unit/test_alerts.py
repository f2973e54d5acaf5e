"""Alerts and their follow-through on a small history whose answers are known, and on the real demo sample."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from pokewatch import alerts
from pokewatch.demo import SAMPLE_PRICES
from pokewatch.sources.files import read_price_history

DAYS = pd.date_range("2025-06-01", periods=120, freq="D")


def history(paths: dict[int, np.ndarray], low: dict[int, np.ndarray] | None = None,
            high: dict[int, np.ndarray] | None = None) -> pd.DataFrame:
    frames = []
    for pid, market in paths.items():
        frames.append(pd.DataFrame({
            "as_of": DAYS.date[-len(market):], "product_id": pid, "variant": "Normal", "set_id": 1,
            "low": (low or {}).get(pid, market * 0.9), "mid": market, "high": (high or {}).get(pid, market * 1.2),
            "market": market}))
    return pd.concat(frames, ignore_index=True)


def test_each_kind_fires_where_it_should_and_nowhere_else():
    flat = np.full(120, 10.0)
    jump = flat.copy()
    jump[-1] = 13.0  # +30 % today: rise_1d, rise_7d, rise_30d, new 30- and 90-day high
    slide = np.append(np.linspace(12.0, 11.0, 119), 10.5)  # a slow fall, then 4.5 % below every earlier price
    stale = flat.copy()
    cheap = np.full(120, 2.0)
    cheap[-1] = 3.0  # +50 % but under $5 on both sides: nothing
    young = np.full(20, 10.0)
    young[-1] = 14.0  # +40 %, but only 20 days of history: no 30/90-day high
    frame = history({1: flat, 2: jump, 3: slide, 4: stale, 5: cheap, 6: young},
                    low={4: stale * 1.6, 1: flat}, high={1: flat})
    result = alerts.find_alerts(frame, DAYS[-1].date(), move_share=0.2, min_price=5.0)
    fired = result.alerts.groupby("product_id")["kind"].apply(set).to_dict()
    assert fired[1] == {"thin_market"}  # lowest ask = highest ask
    assert fired[2] == {"rise_1d", "rise_7d", "rise_30d", "high_30d", "high_90d"}
    assert fired[3] == {"low_30d", "low_90d"}
    assert fired[4] == {"stale_market"}
    assert 5 not in fired
    assert fired[6] == {"rise_1d", "rise_7d"}
    row = result.alerts[(result.alerts["product_id"] == 2) & (result.alerts["kind"] == "rise_1d")].iloc[0]
    assert row["reference_price"] == 10.0 and row["change_pct"] == pytest.approx(30.0)
    assert row["detail"] == "up +30% in 1 day(s): $10.00 -> $13.00"
    stale_row = result.alerts[result.alerts["kind"] == "stale_market"].iloc[0]
    assert stale_row["change_pct"] == pytest.approx(60.0)


def test_follow_through_measures_what_came_after_past_alerts():
    # Two jumps of +50 % to $15 in the past: one gives it all back within a week, one holds.
    gives_back = np.full(120, 10.0)
    gives_back[50:55] = 15.0  # back to 10 after five days
    holds = np.full(120, 10.0)
    holds[60:] = 15.0
    result = alerts.find_alerts(history({1: gives_back, 2: holds}), DAYS[-1].date(), move_share=0.2,
                                min_price=5.0)
    stats = result.follow_through.set_index("kind")
    rise = stats.loc["rise_1d"]
    assert rise["alerts"] == 2
    assert rise["gave_back_half_share"] == pytest.approx(0.5)
    assert rise["mean_move"] == pytest.approx(((10 / 15 - 1) + 0.0) / 2)
    drop = stats.loc["drop_1d"]  # the fall back from 15 to 10 is a -33 % day: it held for 14 days
    assert drop["alerts"] == 1 and drop["gave_back_half_share"] == 0.0 and drop["mean_move"] == pytest.approx(0.0)
    assert stats.loc["stale_market", "alerts"] == 0 and pd.isna(stats.loc["stale_market", "mean_move"])


def test_alerts_on_the_real_sample_agree_with_the_prices():
    prices = read_price_history(SAMPLE_PRICES)
    last = max(prices["as_of"])
    window = prices[pd.to_datetime(prices["as_of"]) > pd.Timestamp(last) - pd.Timedelta(days=alerts.ALERT_HISTORY_DAYS)]
    result = alerts.find_alerts(window, last, move_share=0.2, min_price=5.0)
    assert len(result.alerts) > 50 and set(result.alerts["kind"]) <= set(alerts.KINDS)
    assert result.follow_through["alerts"].sum() > 1000
    today = window[window["as_of"] == last].set_index(["product_id", "variant"])["market"].astype(float)
    got = result.alerts.set_index(["product_id", "variant"])
    assert np.allclose(got["market_price"], today.reindex(got.index))
    assert (got["market_price"].where(~got["kind"].str.startswith("drop"), np.inf) >= 5.0).all()
    # A 1-day move is against the series' previous landed price.
    rises = got[got["kind"] == "rise_1d"]
    for (pid, variant), row in rises.iterrows():
        series = window[(window["product_id"] == pid) & (window["variant"] == variant) & (window["as_of"] < last)]
        previous = series[series["as_of"] == last - dt.timedelta(days=1)]["market"].astype(float)
        if len(previous):
            assert row["reference_price"] == pytest.approx(previous.iloc[0])
