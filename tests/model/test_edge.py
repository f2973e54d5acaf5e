"""No signal class without a proven edge: the walk-forward record of each class, its interval, and the gate."""

import numpy as np
import pandas as pd

from pokewatch import backtest
from pokewatch.costs import load_profiles
from pokewatch.edge import ClassEdge, class_edge, gate, load_edges, save_edges


def decisions(days=70, series=50, buy_move=0.10, market_move=0.0, cost=0.05, noise=0.02, seed=0) -> pd.DataFrame:
    """Every series every day; series 0-4 are called BUY and move by `buy_move`, the rest by `market_move`; the
    trade's return is the move less a flat cost."""
    rng = np.random.default_rng(seed)
    day = np.repeat(np.arange(days), series)
    col = np.tile(np.arange(series), days)
    signal = np.where(col < 5, "BUY", "HOLD")
    move = np.where(col < 5, buy_move, market_move) + rng.normal(0, noise, day.size)
    return pd.DataFrame({"day": day, "signal": signal, "trade_return": move - cost})


def test_a_class_that_beats_holding_and_buying_everything_over_enough_blocks_is_proven():
    buy = class_edge(decisions(), horizon=7, profile="flipper", signal="BUY")
    assert buy.proven and buy.trades == 350 and buy.blocks == 10
    assert abs(buy.mean_return - 0.05) < 0.01 and buy.mean_low > 0 and buy.excess_low > 0
    assert buy.summary.startswith("proven edge for BUY at 7 days for flipper: walk-forward 350 trades in 10 blocks")
    sell = class_edge(decisions(), horizon=7, profile="seller", signal="SELL")
    assert not sell.proven and "made no such trade" in sell.summary


def test_too_few_blocks_a_move_that_does_not_pay_its_costs_or_the_market_s_drift_are_not_proven():
    short = class_edge(decisions(days=14), 7, "flipper", "BUY")
    assert not short.proven and "only 2 of 4 blocks" in short.summary and short.mean_low > 0
    costly = class_edge(decisions(cost=0.25), 7, "flipper", "BUY")
    assert not costly.proven and costly.mean_high < 0
    drift = class_edge(decisions(market_move=0.10), 7, "flipper", "BUY")
    assert not drift.proven and drift.mean_low > 0 and drift.excess_low <= 0  # buying everything did as well


def test_the_gate_turns_an_unproven_class_into_hold_with_its_record_and_weighs_a_proven_one_s_hit_rate():
    proven = class_edge(decisions(), 7, "flipper", "BUY")
    unproven = class_edge(decisions(days=14), 7, "flipper", "BUY")
    signals = pd.DataFrame({"signal": ["BUY", "HOLD"], "reason": ["b", "h"], "confidence": [0.9, 0.4]})
    kept = gate(signals, proven, "BUY", 7, "flipper")
    assert kept["signal"].tolist() == ["BUY", "HOLD"] and kept["reason"].tolist() == ["b", "h"]
    assert kept["confidence"][0] == 0.5 * 0.9 + 0.5 * proven.hit_rate
    held = gate(signals, unproven, "BUY", 7, "flipper")
    assert held["signal"].tolist() == ["HOLD", "HOLD"] and held["reason"][0] == unproven.summary
    none = gate(signals, None, "BUY", 7, "collector")
    assert none["signal"].tolist() == ["HOLD", "HOLD"]
    assert none["reason"][0] == ("no proven edge for BUY at 7 days for collector: no walk-forward record "
                                 "(run `pokewatch backtest --store`)")


def test_a_real_walk_forward_s_records_are_stored_and_the_newest_one_per_class_is_read(settings, conn, shared_dir):
    history = backtest.load_dataset("sealed")
    history = history[history["product_id"].isin(sorted(history["product_id"].unique())[:150])]
    profiles = load_profiles(conn)  # the seeded fee models: collector, flipper, seller
    result = backtest.run_backtest(settings, "sealed", list(profiles.values()), horizons=(30,), history=history,
                                   log_to_mlflow=False, retrain_every=90, max_train_rows=20_000, max_iter=30)
    assert {(e.horizon_days, e.profile, e.signal) for e in result.edges} == {
        (30, "collector", "BUY"), (30, "flipper", "BUY"), (30, "seller", "SELL")}
    for edge in result.edges:
        model_rows = next(r for r in result.rows if r["strategy"] == "model" and r["profile"] == edge.profile)
        assert edge.trades == model_rows["buy"] + model_rows["sell"]
    # the same 30-day forecasts: a collector (buyer costs cancel) trades more often than a flipper (both sides)
    trades = {e.profile: e.trades for e in result.edges}
    assert trades["collector"] >= trades["flipper"] and trades["collector"] > 0
    save_edges(conn, result.edges, "sealed", result.days, None)
    loaded = load_edges(conn, 30, ["collector", "flipper", "seller"])
    assert str(loaded) == str({(e.profile, e.signal): e for e in result.edges})  # str: nan == nan
    assert load_edges(conn, 7, ["collector"]) == {} and load_edges(conn, 30, ["nobody"]) == {}
    newer = ClassEdge(30, "BUY", "collector", 1, 1, 1.0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, False, "newer")
    save_edges(conn, [newer], "sealed", result.days, None)
    assert load_edges(conn, 30, ["collector"])[("collector", "BUY")] == newer
