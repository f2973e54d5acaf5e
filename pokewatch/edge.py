"""Has a signal class earned the right to be published? Its walk-forward record, with a block-bootstrap interval.

A class is a horizon × signal (BUY or SELL) at a cost. Its record is every trade the walk-forward backtest made
(pokewatch.backtest: each decision from a model trained only on targets that had ended), net of the cost. It is
**proven** when, over at least `min_blocks` non-overlapping horizon-long blocks of decision days that hold trades,
the lower end of the `level` interval is above zero for both

- the mean net return per trade (beats always-HOLD, whose return is 0), and
- the mean excess over always-BUY on the same days (a BUY class must beat buying everything; a SELL class must
  beat the market's own drift, i.e. the return of selling everything).

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
    cost_share: float
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


def class_edges(decisions: pd.DataFrame, horizon: int, cost: float, min_blocks: int = 4, level: float = 0.90,
                n_boot: int = 1000, seed: int = 0) -> list[ClassEdge]:
    """decisions: one row per (decision day, series): `day` (position), `signal` (the model's), `move` (market
    return over the horizon, later / now − 1). Returns the record of each class in CLASSES."""
    move = decisions["move"].to_numpy(float)
    ok = np.isfinite(move)
    frame = decisions.loc[ok, ["day", "signal"]].assign(move=move[ok])
    market = frame.groupby("day")["move"].transform("mean").to_numpy()  # every series' mean move that day
    out = []
    for signal in CLASSES:
        mask = (frame["signal"] == signal).to_numpy()
        sign = 1.0 if signal == "BUY" else -1.0  # a SELL earns the move it avoids
        net = sign * frame["move"].to_numpy()[mask] - cost
        excess = net - (sign * market[mask] - cost)  # vs buying (selling) everything that day, same cost
        blocks = (frame["day"].to_numpy()[mask] - int(frame["day"].min())) // max(horizon, 1)
        n_blocks = int(len(np.unique(blocks)))
        if net.size == 0:
            out.append(ClassEdge(horizon, signal, cost, 0, 0, float("nan"), 0.0, 0.0, float("nan"), float("nan"),
                                 0.0, float("nan"), False, f"no proven edge for {signal} at {horizon} days: "
                                 "the walk-forward made no such trade"))
            continue
        low, high = cluster_interval(net, blocks, level, n_boot, seed)
        excess_low, _ = cluster_interval(excess, blocks, level, n_boot, seed + 1)
        proven = n_blocks >= min_blocks and low > 0 and excess_low > 0
        numbers = (f"walk-forward {net.size:,} trades in {n_blocks} blocks of {horizon} days, hit rate "
                   f"{(net > 0).mean():.0%}, mean net {net.mean():+.1%} ({level:.0%} interval {low:+.1%}..{high:+.1%}), "
                   f"vs {'buying' if signal == 'BUY' else 'selling'} everything {excess.mean():+.1%} "
                   f"(low {excess_low:+.1%}) at {cost:.0%} costs")
        if proven:
            summary = f"proven edge for {signal} at {horizon} days: {numbers}"
        elif n_blocks < min_blocks:
            summary = f"no proven edge for {signal} at {horizon} days: only {n_blocks} of {min_blocks} blocks; {numbers}"
        else:
            summary = f"no proven edge for {signal} at {horizon} days: {numbers}"
        out.append(ClassEdge(horizon, signal, cost, int(net.size), n_blocks, float((net > 0).mean()),
                             float(net.mean()), float(np.median(net)), low, high, float(excess.mean()), excess_low,
                             bool(proven), summary))
    return out


def gate(signals: pd.DataFrame, edges: dict[str, ClassEdge], horizon: int) -> pd.DataFrame:
    """BUY/SELL rows of a class without a proven edge become HOLD, with the class's record as the reason."""
    out = signals.copy()
    for signal in CLASSES:
        edge = edges.get(signal)
        if edge is not None and edge.proven:
            continue
        rows = out["signal"] == signal
        if rows.any():
            out.loc[rows, "signal"] = "HOLD"
            out.loc[rows, "confidence"] = 0.5  # the model leans one way, its record does not back it
            out.loc[rows, "reason"] = (edge.summary if edge is not None else
                                       f"no proven edge for {signal} at {horizon} days: no walk-forward record "
                                       "(run `pokewatch backtest --store`)")
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


def load_edges(conn, horizon: int, cost: float) -> dict[str, ClassEdge]:
    """The newest record of each class at this horizon and cost (none: the class has no record)."""
    rows = conn.execute(
        f"select distinct on (signal) {', '.join(EDGE_COLUMNS)} from pokewatch.signal_edges "
        "where horizon_days = %s and abs(cost_share - %s) < 1e-9 order by signal, measured_at desc",
        (horizon, cost)).fetchall()
    return {r[1]: ClassEdge(*r) for r in rows}
