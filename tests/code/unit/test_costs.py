"""The fee model: each trade's net return against its alternative in N days, by price band."""

import numpy as np
import pytest

from pokewatch.costs import CostProfile, legacy

FEES = {"buyer_shipping_below_usd": 1.0, "buyer_shipping_above_usd": 4.5, "seller_fee_share": 0.1325,
        "seller_fixed_usd": 0.30, "seller_shipping_below_usd": 1.0, "seller_shipping_above_usd": 4.5}


def test_shipping_is_tracked_from_the_threshold_up():
    p = CostProfile("flipper", "buy_to_resell", **FEES)
    assert p.entry(19.99) == pytest.approx(1.0) and p.entry(20.0) == pytest.approx(4.5)
    assert p.exit(100.0) == pytest.approx(13.25 + 0.30 + 4.5)


def test_a_collector_s_costs_cancel_when_the_price_stands_still_and_a_flipper_s_do_not():
    collector = CostProfile("collector", "buy_to_keep", **FEES)
    flipper = CostProfile("flipper", "buy_to_resell", **FEES)
    assert collector.net_return(10.0, 10.0) == pytest.approx(0.0)
    assert flipper.net_return(10.0, 10.0) == pytest.approx((10 - 2.625 - 11) / 11)
    # a rise across the shipping threshold costs the collector the tracked rate later: buying now saves it too
    assert collector.net_return(18.0, 22.0) == pytest.approx((22 + 4.5 - 19) / 19)


def test_a_seller_gains_what_the_fall_saves_after_the_fees_of_both_prices():
    seller = CostProfile("seller", "sell_held", **FEES)
    now, later = 50.0 - (0.1325 * 50 + 0.30 + 4.5), 40.0 - (0.1325 * 40 + 0.30 + 4.5)
    assert seller.net_return(50.0, 40.0) == pytest.approx((now - later) / 50.0)
    assert seller.net_return(50.0, 60.0) < 0 and seller.signal == "SELL"


def test_without_fees_every_trade_is_the_plain_move_in_its_direction():
    for trade in ("buy_to_keep", "buy_to_resell", "sell_held"):
        p = CostProfile(trade, trade)
        assert p.net_return(10.0, 12.0) == pytest.approx(p.gross_return(10.0, 12.0))
    assert CostProfile("s", "sell_held").gross_return(10.0, 12.0) == pytest.approx(-0.2)


def test_a_legacy_flat_cost_applies_to_buy_and_sell_row_by_row():
    flat = legacy("legacy 25%", np.array([0.25, 0.0]))
    out = flat.net_return(np.array([10.0, 10.0]), np.array([15.0, 8.0]), np.array(["BUY", "SELL"]))
    assert out == pytest.approx([0.25, 0.2])
