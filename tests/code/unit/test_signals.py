"""The signal rule per cost profile: the band's worst edge after costs decides, guards, confidence, reasons."""

import pandas as pd
import pytest

from pokewatch.costs import CostProfile
from pokewatch.signals import SignalRule, decide_signals

RULE = SignalRule(min_gain_dollars=1.0, min_history_days=7, min_price=0.25, max_flat_share=0.9)
SHIP = {"buyer_shipping_below_usd": 1.0, "buyer_shipping_above_usd": 4.5}
SELL_FEES = {"seller_fee_share": 0.1325, "seller_fixed_usd": 0.30, "seller_shipping_below_usd": 1.0,
             "seller_shipping_above_usd": 4.5}
COLLECTOR = CostProfile("collector", "buy_to_keep", **SHIP)
SELLER = CostProfile("seller", "sell_held", **SELL_FEES)
FLIPPER = CostProfile("flipper", "buy_to_resell", **SHIP, **SELL_FEES)


def frame(**overrides) -> pd.DataFrame:
    row = {"market": 10.0, "fair_price": 10.0, "fair_low": 9.0, "fair_high": 11.0, "days_observed": 30,
           "flat_share_30": 0.5}
    row.update(overrides)
    return pd.DataFrame([row])


def decide(profile, **overrides):
    return decide_signals(frame(**overrides), RULE, profile).iloc[0]


@pytest.mark.parametrize(
    ("profile", "overrides", "signal", "reason"),
    [
        (COLLECTOR, {}, "HOLD", "collector: net -9.1% at the band low $9.00 after costs <= 0: no BUY"),
        # a collector buys now when even the band's low is above today's price: buyer costs are paid either way
        (COLLECTOR, {"market": 8.0}, "BUY", "collector: net +11.1% at the band low $9.00 after costs > 0"),
        # the flipper pays shipping in and fees + postage out: the same card does not pay
        (FLIPPER, {"market": 8.0}, "HOLD", "flipper: net -27.7% at the band low $9.00 after costs <= 0: no BUY"),
        (FLIPPER, {"market": 6.0}, "HOLD", "flipper: net -7.0% at the band low $9.00 after costs <= 0: no BUY"),
        (FLIPPER, {"market": 4.0}, "BUY", "flipper: net +30."),
        (SELLER, {"market": 12.0}, "SELL", "seller: net +7.2% at the band high $11.00 after costs > 0"),
        (SELLER, {"market": 10.5}, "HOLD", "no SELL"),
        (COLLECTOR, {"market": 2.0, "fair_price": 2.6, "fair_low": 2.4, "fair_high": 2.8}, "HOLD",
         "but the move is under $1.00"),
        (COLLECTOR, {"market": 0.1, "fair_price": 0.2, "fair_low": 0.15, "fair_high": 0.25}, "HOLD", "fees dominate"),
        (FLIPPER, {"market": 6.0, "days_observed": 3}, "HOLD", "3 days of history"),
        (FLIPPER, {"market": 6.0, "flat_share_30": 0.97}, "HOLD", "flat"),
    ],
)
def test_rule(profile, overrides, signal, reason):
    out = decide(profile, **overrides)
    assert out["signal"] == signal
    assert reason in out["reason"]
    assert 0.0 <= out["confidence"] <= 1.0


def test_a_profile_gets_only_its_own_signal():
    assert decide(COLLECTOR, market=20.0)["signal"] == "HOLD"  # far above the band: a collector does not sell
    assert decide(SELLER, market=5.0)["signal"] == "HOLD"  # far below: a seller does not buy


def test_net_return_and_cost_share_are_the_rule_s_own_numbers_at_the_fair_price():
    out = decide(FLIPPER, market=6.0)
    paid = 6.0 + 1.0
    assert out["net_return"] == pytest.approx((10.0 - (0.1325 * 10 + 0.30 + 1.0) - paid) / paid)
    assert out["cost_share"] == pytest.approx((10.0 / 6.0 - 1.0) - out["net_return"])  # gross - net


def test_confidence_grows_with_distance_outside_the_band():
    near, far = (decide(COLLECTOR, market=m)["confidence"] for m in (8.5, 3.0))
    assert far > near


def test_deviation_is_relative_to_fair_price():
    assert decide(COLLECTOR, market=12.0)["deviation_pct"] == pytest.approx(20.0)
