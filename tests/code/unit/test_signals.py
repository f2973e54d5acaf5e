"""The signal rule: band, costs, minimum gain, thin-market guard, confidence in [0, 1]."""

import pandas as pd
import pytest

from pokewatch.signals import SignalRule, decide_signals

RULE = SignalRule(round_trip_cost=0.25, min_gain_dollars=1.0, min_history_days=7, min_price=0.25, max_flat_share=0.9)


def frame(**overrides) -> pd.DataFrame:
    row = {"market": 10.0, "fair_price": 10.0, "fair_low": 9.0, "fair_high": 11.0, "days_observed": 30,
           "flat_share_30": 0.5}
    row.update(overrides)
    return pd.DataFrame([row])


@pytest.mark.parametrize(
    ("overrides", "signal", "reason"),
    [
        ({}, "HOLD", "within fair band"),
        ({"market": 6.0}, "BUY", "market below fair band"),
        ({"market": 16.0}, "SELL", "market above fair band"),
        ({"market": 8.5}, "HOLD", "does not clear costs"),  # below the band but only 18 % gain
        ({"market": 0.1, "fair_price": 0.2, "fair_low": 0.15, "fair_high": 0.25}, "HOLD", "fees dominate"),
        ({"market": 6.0, "days_observed": 3}, "HOLD", "3 days of history"),
        ({"market": 6.0, "flat_share_30": 0.97}, "HOLD", "flat"),
        ({"market": 2.0, "fair_price": 2.6, "fair_low": 2.4, "fair_high": 2.8}, "HOLD", "does not clear"),
    ],
)
def test_rule(overrides, signal, reason):
    out = decide_signals(frame(**overrides), RULE).iloc[0]
    assert out["signal"] == signal
    assert reason in out["reason"]
    assert 0.0 <= out["confidence"] <= 1.0


def test_zero_costs_turn_any_move_outside_the_band_into_a_signal():
    out = decide_signals(frame(market=8.5), SignalRule(0.0, 0.0, 7, 0.25, 0.9)).iloc[0]
    assert out["signal"] == "BUY"


def test_confidence_grows_with_distance_outside_the_band():
    near, far = (decide_signals(frame(market=m), RULE).iloc[0]["confidence"] for m in (7.0, 3.0))
    assert far > near


def test_deviation_is_relative_to_fair_price():
    assert decide_signals(frame(market=12.0), RULE).iloc[0]["deviation_pct"] == pytest.approx(20.0)
