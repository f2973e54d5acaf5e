"""From fair price and band to BUY/SELL/HOLD for one cost profile: a thin-market guard, a confidence, a reason.

The rule (issue 15): a BUY only when the net return of the profile's trade is above zero even at the lower edge
of the fair-price band, after that profile's costs (pokewatch.costs); a SELL, for a profile that sells, when it
is above zero even at the band's upper edge. Anything else is HOLD, and the reason names the number that decided.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pokewatch.costs import CostProfile


@dataclass(frozen=True)
class SignalRule:
    """What a BUY/SELL must clear besides the profile's costs (defaults live in Settings only)."""

    min_gain_dollars: float
    min_history_days: int
    min_price: float
    max_flat_share: float

    @classmethod
    def from_settings(cls, settings, min_gain_dollars: float | None = None) -> SignalRule:
        """The configured rule; a run may override the minimum gain (a parameter of the score and nightly flows)."""
        return cls(
            settings.min_gain_dollars if min_gain_dollars is None else min_gain_dollars,
            settings.min_history_days,
            settings.min_price,
            settings.max_flat_share,
        )


def decide_signals(frame: pd.DataFrame, rule: SignalRule, profile: CostProfile) -> pd.DataFrame:
    """frame: market, fair_price, fair_low, fair_high, days_observed, flat_share_30 (one row per series).

    Returns signal, confidence, reason, deviation_pct, net_return (at the fair price, after costs) and cost_share
    (gross − net at the fair price: the costs in return points) for `profile`.
    """
    market = frame["market"].to_numpy(float)
    fair, low, high = (frame[c].to_numpy(float) for c in ("fair_price", "fair_low", "fair_high"))
    days, flat = frame["days_observed"].to_numpy(float), frame["flat_share_30"].to_numpy(float)
    side = profile.signal
    edge = low if side == "BUY" else high  # the band's worst case for the trade
    net_fair = profile.net_return(market, fair)
    net_edge = profile.net_return(market, edge)
    dollars = np.abs(fair - market) >= rule.min_gain_dollars
    trade = np.nan_to_num(net_edge, nan=-1.0) > 0

    short = days < rule.min_history_days
    cheap = market < rule.min_price
    flat_market = np.nan_to_num(flat, nan=1.0) > rule.max_flat_share
    thin = short | cheap | flat_market
    fires = trade & dollars & ~thin
    signal = np.where(fires, side, "HOLD")

    width = np.maximum(high - low, 0.01 * fair)
    outside = np.where(market < low, low - market, np.where(market > high, market - high, 0.0))
    maturity = np.clip(days / 30.0, 0.0, 1.0)
    inside = 1.0 - np.clip(np.abs(market - fair) / (width / 2), 0.0, 1.0)
    strength = 1.0 - np.exp(-outside / width)
    confidence = np.where(fires, 0.5 + 0.5 * strength * maturity, 0.5 * inside + 0.5 * maturity)
    confidence = np.where(thin, 0.5 * maturity, confidence)

    edge_name = "band low" if side == "BUY" else "band high"
    at_edge = f"{profile.profile}: net " + _pct(net_edge) + f" at the {edge_name} $" + _money(edge) + " after costs"
    reason = np.select(
        [short, cheap, flat_market, fires, trade],
        [
            "thin market: " + pd.Series(days).astype(int).astype(str).to_numpy() + " days of history",
            f"thin market: under ${rule.min_price:.2f}, fees dominate",
            "thin market: price flat on most of the last 30 days",
            at_edge + " > 0",
            at_edge + f", but the move is under ${rule.min_gain_dollars:.2f}",
        ],
        default=at_edge + f" <= 0: no {side}",
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        deviation = (market - fair) / fair * 100.0
    return pd.DataFrame(
        {
            "signal": signal,
            "confidence": np.clip(np.nan_to_num(confidence, nan=0.0), 0.0, 1.0),
            "reason": reason,
            "deviation_pct": deviation,
            "net_return": net_fair,
            "cost_share": profile.gross_return(market, fair) - net_fair,
        },
        index=frame.index,
    )


def _pct(values: np.ndarray) -> np.ndarray:
    shares = pd.Series(np.asarray(values, float) * 100).round(1)
    return np.where(shares >= 0, "+", "") + shares.astype(str).to_numpy() + "%"


def _money(values: np.ndarray) -> np.ndarray:
    return pd.Series(np.asarray(values, float)).round(2).map("{:,.2f}".format).to_numpy()
