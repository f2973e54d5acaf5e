"""Cost profiles: what a trade costs whom, as a fee model by price (pokewatch.cost_profiles, editable by users).

A profile's trade is one of three, and its net return compares doing it now with the alternative in N days:

- buy_to_keep (collector): BUY = buy now at p0 rather than at p1 in N days; only buyer costs count.
  net = (p1 + entry(p1) - p0 - entry(p0)) / (p0 + entry(p0))
- buy_to_resell (flipper): BUY = buy now and resell in N days; both sides' costs.
  net = (p1 - exit(p1) - p0 - entry(p0)) / (p0 + entry(p0))
- sell_held (seller): SELL = sell now rather than in N days; seller fees are paid either way.
  net = (p0 - exit(p0) - p1 + exit(p1)) / p0

entry(p) = buyer fee share × p + buyer fixed + buyer shipping(p); exit(p) = seller fee share × p + seller fixed +
seller postage(p); shipping is one rate under the threshold and another (tracked) at or above it. A legacy profile
('legacy N%', rows from before profiles) is a flat share both ways: BUY earns the move − N %, SELL −move − N %.
The backtest, the signal rule and the grading of outcomes all use `net_return`, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SIGNAL_OF_TRADE = {"buy_to_keep": "BUY", "buy_to_resell": "BUY", "sell_held": "SELL"}
FEE_COLUMNS = ["buyer_fee_share", "buyer_fixed_usd", "buyer_shipping_below_usd", "buyer_shipping_above_usd",
               "seller_fee_share", "seller_fixed_usd", "seller_shipping_below_usd", "seller_shipping_above_usd",
               "shipping_threshold_usd"]


class UnknownProfile(ValueError):
    """A profile asked for that pokewatch.cost_profiles does not hold."""


@dataclass(frozen=True)
class CostProfile:
    profile: str
    trade: str  # buy_to_keep | buy_to_resell | sell_held | round_trip (legacy flat share)
    buyer_fee_share: float = 0.0
    buyer_fixed_usd: float = 0.0
    buyer_shipping_below_usd: float = 0.0
    buyer_shipping_above_usd: float = 0.0
    seller_fee_share: float = 0.0
    seller_fixed_usd: float = 0.0
    seller_shipping_below_usd: float = 0.0
    seller_shipping_above_usd: float = 0.0
    shipping_threshold_usd: float = 20.0
    flat_share: float | np.ndarray = 0.0  # round_trip only (a legacy row's own cost, one per row when graded)

    @property
    def signal(self) -> str:
        """The signal this profile can get besides HOLD (a legacy profile: BUY, the baseline's side)."""
        return SIGNAL_OF_TRADE.get(self.trade, "BUY")

    def entry(self, price):
        """What a buyer pays on top of the price, USD."""
        p = np.asarray(price, float)
        return (self.buyer_fee_share * p + self.buyer_fixed_usd
                + np.where(p < self.shipping_threshold_usd, self.buyer_shipping_below_usd,
                           self.buyer_shipping_above_usd))

    def exit(self, price):
        """What a seller gives up from the price, USD."""
        p = np.asarray(price, float)
        return (self.seller_fee_share * p + self.seller_fixed_usd
                + np.where(p < self.shipping_threshold_usd, self.seller_shipping_below_usd,
                           self.seller_shipping_above_usd))

    def net_return(self, p0, p1, signal=None):
        """Net return of the profile's trade made at p0 when the price is p1 at the horizon (see the module).
        `signal` matters only for a legacy profile, whose flat cost applied to BUY and SELL alike."""
        p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.trade == "buy_to_keep":
                paid = p0 + self.entry(p0)
                return (p1 + self.entry(p1) - paid) / paid
            if self.trade == "buy_to_resell":
                paid = p0 + self.entry(p0)
                return (p1 - self.exit(p1) - paid) / paid
            if self.trade == "sell_held":
                return (p0 - self.exit(p0) - p1 + self.exit(p1)) / p0
            move = p1 / p0 - 1.0
            if signal is None:
                return move - self.flat_share
            return np.where(np.asarray(signal) == "SELL", -move, move) - self.flat_share

    def gross_return(self, p0, p1):
        """The same comparison with no costs: the move in the trade's direction."""
        p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            move = p1 / p0 - 1.0
        return -move if self.signal == "SELL" else move

    def describe(self, price: float = 10.0) -> str:
        """The costs in words at a price, e.g. for a reason or a table."""
        if self.trade == "round_trip":
            return f"{self.flat_share:.0%} flat"
        parts = []
        if self.trade in ("buy_to_keep", "buy_to_resell"):
            parts.append(f"buy ${float(self.entry(price)):.2f}")
        if self.trade in ("buy_to_resell", "sell_held"):
            parts.append(f"sell ${float(self.exit(price)):.2f}")
        return " + ".join(parts) + f" at ${price:,.2f}"


def legacy(name: str, cost_share) -> CostProfile:
    """The flat round-trip cost of rows stored before profiles (a share, or one per row)."""
    return CostProfile(name, "round_trip", flat_share=cost_share)


def load_profiles(conn, names=None) -> dict[str, CostProfile]:
    """Profiles from pokewatch.cost_profiles (all, or the names given, in that order); UnknownProfile if one is
    missing."""
    columns = ["profile", "trade", *FEE_COLUMNS]
    rows = conn.execute(f"select {', '.join(columns)} from pokewatch.cost_profiles order by profile").fetchall()
    found = {r[0]: CostProfile(r[0], r[1], *(float(v) for v in r[2:])) for r in rows}
    if names is None:
        return found
    missing = [n for n in names if n not in found]
    if missing:
        raise UnknownProfile(f"unknown cost profile(s) {', '.join(missing)}: pokewatch.cost_profiles holds "
                             f"{', '.join(found) or 'none'}")
    return {n: found[n] for n in names}


def profile_for(name: str, profiles: dict[str, CostProfile], cost_share) -> CostProfile:
    """A stored row's profile: a known one, else a legacy flat cost (its stored cost share)."""
    return profiles[name] if name in profiles else legacy(name, cost_share)


def configured(settings, names=None) -> list[CostProfile]:
    """The profiles named (default: POKEWATCH_PROFILES) as the warehouse holds them now."""
    from pokewatch import db

    with db.connect(settings) as conn:
        return list(load_profiles(conn, names or settings.profiles).values())
