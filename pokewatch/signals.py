"""From fair price and band to BUY/SELL/HOLD: costs, a thin-market guard, a confidence and a reason."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class SignalRule:
    """What a BUY/SELL must clear (defaults live in Settings only)."""

    round_trip_cost: float  # fees + shipping, as a share of the price
    min_gain_dollars: float
    min_history_days: int
    min_price: float
    max_flat_share: float

    @classmethod
    def from_settings(cls, settings, round_trip_cost: float | None = None,
                      min_gain_dollars: float | None = None) -> SignalRule:
        """The configured rule; a run may override the costs (a parameter of the score and nightly flows)."""
        return cls(
            settings.round_trip_cost if round_trip_cost is None else round_trip_cost,
            settings.min_gain_dollars if min_gain_dollars is None else min_gain_dollars,
            settings.min_history_days,
            settings.min_price,
            settings.max_flat_share,
        )


def decide_signals(frame: pd.DataFrame, rule: SignalRule) -> pd.DataFrame:
    """frame: market, fair_price, fair_low, fair_high, days_observed, flat_share_30 (one row per series).

    BUY: the market is under the band and the gain to fair price clears the round-trip cost and a
    minimum in dollars. SELL: above the band by the same logic. Anything else, or a market too thin
    to judge, is HOLD; the reason says which.
    """
    market = frame["market"].to_numpy(float)
    fair, low, high = (frame[c].to_numpy(float) for c in ("fair_price", "fair_low", "fair_high"))
    days, flat = frame["days_observed"].to_numpy(float), frame["flat_share_30"].to_numpy(float)
    gain = (fair - market) / market  # > 0: under-priced
    clears = np.abs(gain) > rule.round_trip_cost
    dollars = np.abs(fair - market) >= rule.min_gain_dollars
    buy = (market < low) & (gain > 0) & clears & dollars
    sell = (market > high) & (gain < 0) & clears & dollars

    short = days < rule.min_history_days
    cheap = market < rule.min_price
    flat_market = np.nan_to_num(flat, nan=1.0) > rule.max_flat_share
    thin = short | cheap | flat_market
    signal = np.where(thin, "HOLD", np.where(buy, "BUY", np.where(sell, "SELL", "HOLD")))

    width = np.maximum(high - low, 0.01 * fair)
    outside = np.where(market < low, low - market, np.where(market > high, market - high, 0.0))
    maturity = np.clip(days / 30.0, 0.0, 1.0)
    inside = 1.0 - np.clip(np.abs(market - fair) / (width / 2), 0.0, 1.0)
    strength = 1.0 - np.exp(-outside / width)
    confidence = np.where(signal == "HOLD", 0.5 * inside + 0.5 * maturity, 0.5 + 0.5 * strength * maturity)
    confidence = np.where(thin, 0.5 * maturity, confidence)

    reason = np.select(
        [short, cheap, flat_market, buy, sell, (market < low) | (market > high)],
        [
            "thin market: " + pd.Series(days).astype(int).astype(str).to_numpy() + " days of history",
            f"thin market: under ${rule.min_price:.2f}, fees dominate",
            "thin market: price flat on most of the last 30 days",
            "market below fair band; gain " + _pct(gain) + f" clears {rule.round_trip_cost:.0%} costs",
            "market above fair band; premium " + _pct(-gain) + f" clears {rule.round_trip_cost:.0%} costs",
            "outside fair band but gain " + _pct(np.abs(gain)) + " does not clear costs",
        ],
        default="within fair band",
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        deviation = (market - fair) / fair * 100.0
    return pd.DataFrame(
        {
            "signal": signal,
            "confidence": np.clip(np.nan_to_num(confidence, nan=0.0), 0.0, 1.0),
            "reason": reason,
            "deviation_pct": deviation,
        },
        index=frame.index,
    )


def _pct(values: np.ndarray) -> np.ndarray:
    return pd.Series(values * 100).round(0).astype("Int64").astype(str).to_numpy() + "%"
