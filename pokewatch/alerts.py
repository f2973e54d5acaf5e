"""Movers and alerts: what moved today, and what such moves did next in the landed history.

Kinds (a card variant on a day, market price at least `alert_min_price`, either side for drops):
- rise_Nd / drop_Nd: market price today vs the last price N days before (N = 1, 7, 30) moved by at least
  `alert_move_share`;
- high_Nd / low_Nd: today's price is above the highest (below the lowest) of the previous N days (N = 30, 90) by
  at least NEW_EXTREME_MARGIN, and the series has N days of history;
- stale_market: the lowest ask is at least STALE_ASK_RATIO × the market price (the market price lags the asks);
- thin_market: one ask level (lowest ask = highest ask).

Follow-through: every alert of a kind in the loaded history whose FOLLOW_THROUGH_DAYS later have landed is
followed: the market move from the alert day to then, and (moves, highs, lows) whether the price gave back at
least half of the move within those days. Recomputed on each run from the history up to the run's day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import bottleneck as bn
import numpy as np
import pandas as pd

from pokewatch.features import _ffill, _move, _shift, build_panel

MOVE_WINDOWS = (1, 7, 30)
EXTREME_WINDOWS = (30, 90)
NEW_EXTREME_MARGIN = 0.01
STALE_ASK_RATIO = 1.5
FOLLOW_THROUGH_DAYS = 14
# History read: the longest window, plus the follow-through days, plus room to have followed alerts.
ALERT_HISTORY_DAYS = max(EXTREME_WINDOWS) + FOLLOW_THROUGH_DAYS + 30
SERIES_CHUNK = 20_000  # series handled at once (bounds memory on large catalogues)
KINDS = [*(f"{d}_{n}d" for n in MOVE_WINDOWS for d in ("rise", "drop")),
         *(f"{d}_{n}d" for n in EXTREME_WINDOWS for d in ("high", "low")), "stale_market", "thin_market"]


@dataclass
class AlertResult:
    as_of: dt.date
    alerts: pd.DataFrame  # product_id, variant, kind, market_price, reference_price, change_pct, detail
    follow_through: pd.DataFrame  # kind, alerts, mean_move, median_move, gave_back_half_share
    history_from: dt.date | None = None
    history_to: dt.date | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        shown = ", ".join(f"{k} {v:,}" for k, v in self.counts.items() if v)
        return f"{len(self.alerts):,} alert(s) on {self.as_of}" + (f": {shown}" if shown else "")


def _rolling(matrix: np.ndarray, window: int, fn: str) -> np.ndarray:
    """max/min of the `window` days before each day (the day itself excluded), NaN-aware: the features' moving
    window along the days (pandas' rolling went column by column: 10× slower)."""
    return _move(bn.move_max if fn == "max" else bn.move_min, _shift(matrix, 1), window)


def _future(matrix: np.ndarray, days: int, fn: str) -> np.ndarray:
    """max/min over the `days` days after each day (the day itself excluded)."""
    return _rolling(matrix[::-1], days, fn)[::-1]


def _kind_matrices(market: np.ndarray, low: np.ndarray, high: np.ndarray, move_share: float, min_price: float):
    """For each kind: (fires, reference, direction) day × series matrices. direction: +1 a rise, -1 a fall, 0 none."""
    carried = _ffill(market)
    priced = np.isfinite(market)
    out = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for n in MOVE_WINDOWS:
            ref = np.full_like(market, np.nan)
            ref[n:] = carried[:-n]
            change = market / ref - 1.0
            big = priced & np.isfinite(ref) & (np.fmax(market, ref) >= min_price)
            out[f"rise_{n}d"] = (big & (change >= move_share), ref, 1)
            out[f"drop_{n}d"] = (big & (change <= -move_share), ref, -1)
        for n in EXTREME_WINDOWS:
            top, bottom = _rolling(market, n, "max"), _rolling(market, n, "min")
            known = np.zeros_like(priced)
            known[n:] = np.isfinite(carried[:-n])  # the series was priced at least n days ago
            ok = priced & known & (market >= min_price)
            out[f"high_{n}d"] = (ok & (market > top * (1 + NEW_EXTREME_MARGIN)), top, 1)
            out[f"low_{n}d"] = (ok & (market < bottom * (1 - NEW_EXTREME_MARGIN)), bottom, -1)
        listed = priced & (market >= min_price)
        out["stale_market"] = (listed & (low >= STALE_ASK_RATIO * market), low, 0)
        out["thin_market"] = (listed & np.isfinite(low) & (low == high), low, 0)
    return out


def _detail(kind: str, market: float, ref: float) -> str:
    name, _, window = kind.rpartition("_")
    if kind == "stale_market":
        return f"lowest ask ${ref:,.2f} is {ref / market:.1f}x the market price ${market:,.2f}"
    if kind == "thin_market":
        return f"one ask level: lowest = highest ask ${ref:,.2f} (market ${market:,.2f})"
    if name in ("high", "low"):
        return f"new {window} {name}: ${market:,.2f} (previous {name} ${ref:,.2f})"
    days = window.removesuffix("d")
    return f"{'up' if name == 'rise' else 'down'} {market / ref - 1:+.0%} in {days} day(s): ${ref:,.2f} -> ${market:,.2f}"


def find_alerts(history: pd.DataFrame, as_of: dt.date, move_share: float, min_price: float) -> AlertResult:
    """Alerts on `as_of` and each kind's follow-through over the history (as_of, product_id, variant, set_id, low,
    mid, high, market; landed days up to as_of only)."""
    panel = build_panel(history)
    if pd.Timestamp(as_of) != panel.days[-1]:
        raise ValueError(f"alerts for {as_of}: the history given ends on {panel.days[-1].date()}")
    today, follow_last = len(panel.days) - 1, len(panel.days) - 1 - FOLLOW_THROUGH_DAYS
    rows, moves = [], {k: ([], []) for k in KINDS}
    for start in range(0, len(panel.series), SERIES_CHUNK):
        cols = slice(start, start + SERIES_CHUNK)
        market, low, high = panel.market[:, cols], panel.low[:, cols], panel.high[:, cols]
        later = _ffill(market)
        future_max, future_min = _future(market, FOLLOW_THROUGH_DAYS, "max"), _future(market, FOLLOW_THROUGH_DAYS, "min")
        for kind, (fires, ref, direction) in _kind_matrices(market, low, high, move_share, min_price).items():
            for c in np.flatnonzero(fires[today]):
                rows.append((start + c, kind, market[today, c], ref[today, c]))
            if follow_last < 0:
                continue
            d, c = np.nonzero(fires[: follow_last + 1])
            after = later[d + FOLLOW_THROUGH_DAYS, c]
            ok = np.isfinite(after)
            d, c, after = d[ok], c[ok], after[ok]
            move = after / market[d, c] - 1.0
            half = (market[d, c] + ref[d, c]) / 2.0
            gave_back = (np.where(direction > 0, future_min[d, c] <= half, future_max[d, c] >= half)
                         if direction else np.full(len(d), np.nan))
            moves[kind][0].append(move)
            moves[kind][1].append(gave_back)
    alerts = pd.DataFrame(rows, columns=["col", "kind", "market_price", "reference_price"])
    alerts = pd.concat([panel.series.iloc[alerts["col"]][["product_id", "variant"]].reset_index(drop=True),
                        alerts.drop(columns="col")], axis=1)
    change = alerts["market_price"] / alerts["reference_price"] - 1.0
    change = change.mask(alerts["kind"] == "stale_market", alerts["reference_price"] / alerts["market_price"] - 1.0)
    alerts["change_pct"] = change.where(alerts["kind"] != "thin_market") * 100.0
    alerts["detail"] = [_detail(k, m, r) for k, m, r in
                        zip(alerts["kind"], alerts["market_price"], alerts["reference_price"])]
    stats = []
    for kind in KINDS:
        move = np.concatenate(moves[kind][0]) if moves[kind][0] else np.array([])
        back = np.concatenate(moves[kind][1]) if moves[kind][1] else np.array([])
        stats.append({"kind": kind, "alerts": int(move.size),
                      "mean_move": float(move.mean()) if move.size else None,
                      "median_move": float(np.median(move)) if move.size else None,
                      "gave_back_half_share": (float(np.nanmean(back)) if back.size and np.isfinite(back).any()
                                               else None)})
    counts = alerts["kind"].value_counts().reindex(KINDS, fill_value=0).astype(int).to_dict()
    return AlertResult(as_of, alerts, pd.DataFrame(stats), panel.days[0].date(), panel.days[-1].date(), counts)


def run(settings, as_of: dt.date, run_id=None, source: str = "tcgcsv") -> AlertResult:
    """The day's alerts from the landed history up to it, stored (a rerun of the day replaces them)."""
    from pokewatch import db
    from pokewatch.history import load_history

    with db.connect(settings) as conn:
        history = load_history(conn, as_of, ALERT_HISTORY_DAYS, source)
    if history.empty or pd.to_datetime(history["as_of"]).max().date() != as_of:
        raise RuntimeError(f"no landed prices for {as_of}: no alerts can be computed")
    result = find_alerts(history, as_of, settings.alert_move_share, settings.alert_min_price)
    with db.connect(settings) as conn:
        store(conn, result, run_id)
    return result


def store(conn, result: AlertResult, run_id) -> int:
    """Replace the day's alerts and follow-through with these, in one transaction."""
    from pokewatch.db import copy_in

    alerts = result.alerts.assign(as_of=result.as_of, run_id=str(run_id) if run_id else None)
    alerts["reference_price"] = alerts["reference_price"].round(2)
    alerts["market_price"] = alerts["market_price"].round(2)
    stats = result.follow_through.assign(as_of=result.as_of, days_after=FOLLOW_THROUGH_DAYS,
                                         history_from=result.history_from, history_to=result.history_to)
    with conn.transaction():
        conn.execute("delete from pokewatch.alerts where as_of = %s", (result.as_of,))
        conn.execute("delete from pokewatch.alert_follow_through where as_of = %s", (result.as_of,))
        copy_in(conn, "pokewatch.alerts", alerts, ["as_of", "product_id", "variant", "kind", "market_price",
                                                   "reference_price", "change_pct", "detail", "run_id"])
        copy_in(conn, "pokewatch.alert_follow_through", stats,
                ["as_of", "kind", "alerts", "mean_move", "median_move", "gave_back_half_share", "days_after",
                 "history_from", "history_to"])
    return len(alerts)
