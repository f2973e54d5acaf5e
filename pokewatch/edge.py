"""Has a signal class earned the right to be published? Its walk-forward record, with a block-bootstrap interval.

A class is a horizon × cost profile × the profile's signal (BUY for collector and flipper, SELL for seller). Its
record is every trade the walk-forward backtest made (pokewatch.backtest: each decision from a model trained only on
targets that had ended), net of the profile's costs (pokewatch.costs). It is
**proven** when, over at least `min_blocks` non-overlapping horizon-long blocks of decision days that hold trades,
the lower end of the `level` interval is above zero for both

- the mean net return per trade (beats always-HOLD, whose return is 0), and
- the mean excess over making the profile's trade on every card the same days (a BUY class must beat buying
  everything; a SELL class must beat selling everything), at the same costs.

The interval resamples whole blocks of `horizon` decision days (trades whose holding periods overlap are not
independent draws). A class that is not proven publishes HOLD, and says why with these numbers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from pokewatch.evaluate import cluster_interval

CLASSES = ("BUY", "SELL")


@dataclass(frozen=True)
class ClassEdge:
    horizon_days: int
    signal: str
    profile: str
    trades: int
    blocks: int
    hit_rate: float
    mean_return: float
    median_return: float
    mean_low: float
    mean_high: float
    excess_vs_buy_all: float
    excess_low: float
    proven: bool
    summary: str

    def as_row(self) -> dict:
        return asdict(self)


def class_edge(decisions: pd.DataFrame, horizon: int, profile: str, signal: str, min_blocks: int = 4,
               level: float = 0.90, n_boot: int = 1000, seed: int = 0) -> ClassEdge:
    """decisions: one row per (decision day, series): `day` (position), `signal` (the model's) and `trade_return`
    (the net return the profile's trade would have made there, after its costs). The record of `signal`."""
    ok = np.isfinite(decisions["trade_return"].to_numpy(float))
    frame = decisions.loc[ok, ["day", "signal", "trade_return"]]
    everything = frame.groupby("day")["trade_return"].transform("mean").to_numpy()  # the trade on every card
    mask = (frame["signal"] == signal).to_numpy()
    net = frame["trade_return"].to_numpy(float)[mask]
    excess = net - everything[mask]
    blocks = (frame["day"].to_numpy()[mask] - int(frame["day"].min() if len(frame) else 0)) // max(horizon, 1)
    n_blocks = int(len(np.unique(blocks)))
    where = f"{signal} at {horizon} days for {profile}"
    if net.size == 0:
        return ClassEdge(horizon, signal, profile, 0, 0, float("nan"), 0.0, 0.0, float("nan"), float("nan"), 0.0,
                         float("nan"), False, f"no proven edge for {where}: the walk-forward made no such trade")
    low, high = cluster_interval(net, blocks, level, n_boot, seed)
    excess_low, _ = cluster_interval(excess, blocks, level, n_boot, seed + 1)
    proven = n_blocks >= min_blocks and low > 0 and excess_low > 0
    numbers = (f"walk-forward {net.size:,} trades in {n_blocks} blocks of {horizon} days, hit rate "
               f"{(net > 0).mean():.0%}, mean net {net.mean():+.1%} ({level:.0%} interval {low:+.1%}..{high:+.1%}), "
               f"vs {'buying' if signal == 'BUY' else 'selling'} everything {excess.mean():+.1%} "
               f"(low {excess_low:+.1%}) after {profile} costs")
    if proven:
        summary = f"proven edge for {where}: {numbers}"
    elif n_blocks < min_blocks:
        summary = f"no proven edge for {where}: only {n_blocks} of {min_blocks} blocks; {numbers}"
    else:
        summary = f"no proven edge for {where}: {numbers}"
    return ClassEdge(horizon, signal, profile, int(net.size), n_blocks, float((net > 0).mean()), float(net.mean()),
                     float(np.median(net)), low, high, float(excess.mean()), excess_low, bool(proven), summary)


def gate(signals: pd.DataFrame, edge: ClassEdge | None, signal: str, horizon: int, profile: str) -> pd.DataFrame:
    """One profile's rows: a BUY/SELL of a class without a proven edge becomes HOLD, with the class's record as the
    reason; a proven class's confidence is the mean of the band's and the class's walk-forward hit rate."""
    out = signals.copy()
    rows = out["signal"] == signal
    if not rows.any():
        return out
    if edge is not None and edge.proven:
        out.loc[rows, "confidence"] = 0.5 * out.loc[rows, "confidence"] + 0.5 * edge.hit_rate
        return out
    out.loc[rows, "signal"] = "HOLD"
    out.loc[rows, "confidence"] = 0.5  # the model leans one way, its record does not back it
    out.loc[rows, "reason"] = (edge.summary if edge is not None else
                               f"no proven edge for {signal} at {horizon} days for {profile}: no walk-forward "
                               "record (run `pokewatch backtest --store`)")
    return out


EDGE_COLUMNS = list(ClassEdge.__dataclass_fields__)


def save_edges(conn, edges: list[ClassEdge], dataset: str, history_days: str, mlflow_run_id: str | None) -> int:
    """Store one walk-forward's class records (in the caller's transaction)."""
    with conn.cursor() as cur:
        cur.executemany(
            f"insert into pokewatch.signal_edges (dataset, history_days, mlflow_run_id, {', '.join(EDGE_COLUMNS)}) "
            f"values (%s, %s, %s, {', '.join(['%s'] * len(EDGE_COLUMNS))})",
            [(dataset, history_days, mlflow_run_id, *(e.as_row()[c] for c in EDGE_COLUMNS)) for e in edges])
    return len(edges)


def load_edges(conn, horizon: int, profiles) -> dict[tuple[str, str], ClassEdge]:
    """The newest record of each class (profile, signal) at this horizon (absent: the class has no record)."""
    rows = conn.execute(
        f"select distinct on (profile, signal) {', '.join(EDGE_COLUMNS)} from pokewatch.signal_edges "
        "where horizon_days = %s and profile = any(%s) order by profile, signal, measured_at desc",
        (horizon, list(profiles))).fetchall()
    return {(r[2], r[1]): ClassEdge(*r) for r in rows}
