"""No signal class without a proven edge: the walk-forward record of each class, its interval, and the gate."""

import numpy as np
import pandas as pd

from pokewatch import backtest
from pokewatch.edge import ClassEdge, class_edges, gate, load_edges, save_edges


def decisions(days=70, series=50, buy_move=0.10, market_move=0.0, noise=0.02, seed=0) -> pd.DataFrame:
    """Every series every day; series 0-4 are called BUY and move by `buy_move`, the rest by `market_move`."""
    rng = np.random.default_rng(seed)
    day = np.repeat(np.arange(days), series)
    col = np.tile(np.arange(series), days)
    signal = np.where(col < 5, "BUY", "HOLD")
    move = np.where(col < 5, buy_move, market_move) + rng.normal(0, noise, day.size)
    return pd.DataFrame({"day": day, "signal": signal, "move": move})


def by_signal(edges):
    return {e.signal: e for e in edges}


def test_a_class_that_beats_holding_and_buying_everything_over_enough_blocks_is_proven():
    edges = by_signal(class_edges(decisions(), horizon=7, cost=0.05))
    buy = edges["BUY"]
    assert buy.proven and buy.trades == 350 and buy.blocks == 10
    assert abs(buy.mean_return - 0.05) < 0.01 and buy.mean_low > 0 and buy.excess_low > 0
    assert buy.summary.startswith("proven edge for BUY at 7 days: walk-forward 350 trades in 10 blocks")
    assert not edges["SELL"].proven and "made no such trade" in edges["SELL"].summary


def test_too_few_blocks_a_move_that_does_not_pay_its_costs_or_the_market_s_drift_are_not_proven():
    short = by_signal(class_edges(decisions(days=14), horizon=7, cost=0.05))["BUY"]
    assert not short.proven and "only 2 of 4 blocks" in short.summary and short.mean_low > 0
    costly = by_signal(class_edges(decisions(), horizon=7, cost=0.25))["BUY"]
    assert not costly.proven and costly.mean_high < 0
    drift = by_signal(class_edges(decisions(market_move=0.10), horizon=7, cost=0.05))["BUY"]
    assert not drift.proven and drift.mean_low > 0 and drift.excess_low <= 0  # buying everything did as well


def test_the_gate_turns_unproven_classes_into_hold_with_their_record():
    edges = by_signal(class_edges(decisions(), horizon=7, cost=0.05))
    signals = pd.DataFrame({"signal": ["BUY", "SELL", "HOLD"], "reason": ["b", "s", "h"],
                            "confidence": [0.9, 0.9, 0.4]})
    out = gate(signals, edges, 7)
    assert out["signal"].tolist() == ["BUY", "HOLD", "HOLD"]
    assert out["reason"].tolist() == ["b", edges["SELL"].summary, "h"]
    none = gate(signals, {}, 7)
    assert none["signal"].tolist() == ["HOLD"] * 3
    assert none["reason"][0] == "no proven edge for BUY at 7 days: no walk-forward record (run `pokewatch backtest --store`)"


def test_a_real_walk_forward_s_records_are_stored_and_the_newest_one_per_class_is_read(settings, conn, shared_dir):
    history = backtest.load_dataset("sealed")
    history = history[history["product_id"].isin(sorted(history["product_id"].unique())[:150])]
    free = settings.model_copy(update={"min_gain_dollars": 0.0})  # zero costs: trades to record (a test only)
    result = backtest.run_backtest(free, "sealed", horizons=(7,), round_trip_cost=0.0, history=history,
                                   log_to_mlflow=False, retrain_every=90, max_train_rows=20_000, max_iter=30)
    assert {(e.horizon_days, e.signal) for e in result.edges} == {(7, "BUY"), (7, "SELL")}
    model_rows = next(r for r in result.rows if r["strategy"] == "model")
    assert sum(e.trades for e in result.edges) == model_rows["buy"] + model_rows["sell"]
    save_edges(conn, result.edges, "sealed", result.days, None)
    assert sum(e.trades for e in result.edges) > 0
    assert str(load_edges(conn, 7, 0.0)) == str({e.signal: e for e in result.edges})  # str: nan == nan
    assert load_edges(conn, 7, 0.25) == {} and load_edges(conn, 30, 0.0) == {}
    newer = ClassEdge(7, "BUY", 0.0, 1, 1, 1.0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, False, "newer")
    save_edges(conn, [newer], "sealed", result.days, None)
    assert load_edges(conn, 7, 0.0)["BUY"] == newer
