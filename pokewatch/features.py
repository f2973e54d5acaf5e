"""One vectorised feature builder for training and scoring: each day sees only its own past.

History arrives long (one row per series and day) and is pivoted to day × series arrays, so every
feature is one array operation over the whole catalogue (bottleneck's moving windows), never a loop
over series.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import bottleneck as bn
import numpy as np
import pandas as pd

from pokewatch.landing_schema import PLACEHOLDER_PRICE

KEY = ["product_id", "variant"]
KNOWN_VARIANTS = [
    "Normal",
    "Holofoil",
    "Reverse Holofoil",
    "1st Edition",
    "1st Edition Holofoil",
    "Unlimited",
    "Unlimited Holofoil",
]
KNOWN_RARITIES = [
    "Common",
    "Uncommon",
    "Rare",
    "Holo Rare",
    "Double Rare",
    "Ultra Rare",
    "Illustration Rare",
    "Special Illustration Rare",
    "Hyper Rare",
    "Secret Rare",
    "Promo",
    "Code Card",
]
FEATURES = [
    "log_last",
    "ret_1",
    "ret_7",
    "dev_med_3",
    "dev_med_7",
    "dev_med_30",
    "dev_mean_3",
    "vol_7",
    "vol_30",
    "momentum_3",
    "days_observed",
    "flat_share_30",
    "spread_high_low",
    "spread_mid",
    "spread_low",
    "set_age_days",
    "variant_code",
    "rarity_code",
    # Long-horizon features (issue 15): how new the series is, where it sits against its long history, and
    # how its set and its whole catalogue moved.
    "newness_days",
    "drawdown_90",
    "dev_med_90",
    "set_ret_30",
    "catalogue_ret_30",
    "category_code",
]
CATEGORICAL_FEATURES = ["variant_code", "rarity_code", "category_code"]
KNOWN_CATEGORIES = [3, 85]
# The window of the short features (days, today included), and how far a last price is carried.
HISTORY_WINDOW_DAYS = 30
# The window of the long ones: newness is capped here (a product first priced 90+ days ago is "established"),
# drawdown and the long median look back this far.
LONG_WINDOW_DAYS = 90
# History a day's features can depend on: the long window over prices carried up to a short window, and a week
# more. Loading this many days gives the same features as loading everything (tested).
FEATURE_LOOKBACK_DAYS = LONG_WINDOW_DAYS + HISTORY_WINDOW_DAYS + 8


@dataclass
class Panel:
    """Day × series arrays of one price history (NaN where a series has no price that day)."""

    days: pd.DatetimeIndex
    series: pd.DataFrame  # product_id, variant, set_id, category_id, rarity, release_date; row i = array column i
    market: np.ndarray
    low: np.ndarray
    mid: np.ndarray
    high: np.ndarray

    def day_index(self, day: dt.date) -> int:
        return int(self.days.get_loc(pd.Timestamp(day)))


def build_panel(history: pd.DataFrame, cards: pd.DataFrame | None = None, sets: pd.DataFrame | None = None) -> Panel:
    """Pivot long history (as_of, product_id, variant, set_id, low, mid, high, market) to day × series arrays."""
    as_of = pd.to_datetime(history["as_of"])  # no copy of the whole frame: history can be millions of rows
    days = pd.date_range(as_of.min(), as_of.max(), freq="D")
    # Series numbered in order of first appearance; drop_duplicates keeps that same order.
    codes = history.groupby(KEY, sort=False).ngroup().to_numpy()
    series = history[KEY].drop_duplicates().reset_index(drop=True)
    last = history.groupby(codes)[[c for c in ("set_id", "category_id") if c in history]].last()
    series["set_id"] = last["set_id"].reindex(range(len(series))).to_numpy()
    series["category_id"] = (last["category_id"].reindex(range(len(series))).to_numpy() if "category_id" in last
                             else 3)
    day_pos = (as_of - days[0]).dt.days.to_numpy()

    def matrix(column: str) -> np.ndarray:
        out = np.full((len(days), len(series)), np.nan)
        values = history[column].to_numpy(dtype="float64", na_value=np.nan)
        if column in ("low", "mid", "high"):
            values = np.where(values >= PLACEHOLDER_PRICE, np.nan, values)  # placeholder listings
        values = np.where(values > 0, values, np.nan)  # 0 or negative is not a price
        out[day_pos, codes] = values
        return out

    series["rarity"] = _lookup(series, cards, "product_id", "rarity")
    series["release_date"] = pd.to_datetime(_lookup(series, sets, "set_id", "release_date"), errors="coerce")
    first_seen = as_of.groupby(history["set_id"]).min()
    series["release_date"] = series["release_date"].fillna(series["set_id"].map(first_seen))
    return Panel(days, series, matrix("market"), matrix("low"), matrix("mid"), matrix("high"))


def _lookup(series: pd.DataFrame, table: pd.DataFrame | None, key: str, column: str) -> np.ndarray:
    if table is None or table.empty or column not in table:
        return np.full(len(series), None, dtype=object)
    mapping = table.drop_duplicates(key).set_index(key)[column]
    return series[key].map(mapping).to_numpy()


def _log_ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(a / b)


def _shift(a: np.ndarray, k: int) -> np.ndarray:
    out = np.full_like(a, np.nan)
    out[k:] = a[:-k]
    return out


def _ffill(a: np.ndarray, limit: int = HISTORY_WINDOW_DAYS) -> np.ndarray:
    """Carry each series' last observed price forward along the days, at most `limit` days: an older price is
    stale, and a bounded carry keeps a day's features independent of how much older history is loaded."""
    days = np.arange(a.shape[0])[:, None]
    idx = np.where(~np.isnan(a), days, -1)
    np.maximum.accumulate(idx, axis=0, out=idx)
    out = a[np.maximum(idx, 0), np.arange(a.shape[1])]
    out[(idx < 0) | (days - idx > limit)] = np.nan
    return out


def _codes(values: pd.Series, known: list[str]) -> np.ndarray:
    """Category codes of known values; anything else is -1 (unknown)."""
    return pd.Categorical(values.where(values.isin(known)), categories=known).codes.astype(float)


def _move(fn, a: np.ndarray, window: int, min_count: int = 1) -> np.ndarray:
    """A bottleneck moving window along the days; a short history gets the window it has."""
    return fn(a, min(window, a.shape[0]), min_count=min(min_count, a.shape[0]), axis=0)


def _newness(market: np.ndarray) -> np.ndarray:
    """Days since the series' first price within the long window (89 for a series priced all along it): a
    bounded window, so it does not depend on how much older history is loaded; NaN with no price in it."""
    days = np.arange(market.shape[0], dtype=float)[:, None]
    first = _move(bn.move_min, np.where(np.isnan(market), np.nan, days), LONG_WINDOW_DAYS, 1)
    return days - first


def _group_median(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each day's median of `values` over the series of the same group, broadcast back to every series."""
    codes, uniques = pd.factorize(pd.Series(groups), use_na_sentinel=False)
    medians = pd.DataFrame(values.T).groupby(codes).median().to_numpy()  # groups × days
    return medians[codes].T


def _feature_makers(panel: Panel) -> dict[str, Callable[[], np.ndarray]]:
    """Every feature as a function computing its day × series array from that day and the days before it.

    Functions, not arrays: the caller builds one feature at a time and keeps only the rows it needs, so
    memory stays a few arrays deep however many features there are.
    """
    market, last = panel.market, _ffill(panel.market)
    log_last = np.log(last)
    returns = np.diff(log_last, axis=0, prepend=np.nan)
    changed = np.where(np.isnan(returns), np.nan, (np.abs(returns) > 1e-9).astype(float))
    n_days = len(panel.days)
    day_numbers = (panel.days - pd.Timestamp("1970-01-01")).days.to_numpy()[:, None]
    release = (panel.series["release_date"] - pd.Timestamp("1970-01-01")).dt.days.to_numpy(dtype="float64")
    variant_code = _codes(panel.series["variant"], KNOWN_VARIANTS)
    rarity_code = _codes(panel.series["rarity"], KNOWN_RARITIES)
    category_code = _codes(panel.series["category_id"], KNOWN_CATEGORIES)
    ones = np.ones((n_days, 1))

    def ret_30() -> np.ndarray:
        return _log_ratio(last, _shift(last, HISTORY_WINDOW_DAYS))

    return {
        "log_last": lambda: log_last,
        "ret_1": lambda: _log_ratio(last, _shift(last, 1)),
        "ret_7": lambda: _log_ratio(last, _shift(last, 7)),
        "dev_med_3": lambda: _log_ratio(last, _move(bn.move_median, market, 3, 1)),
        "dev_med_7": lambda: _log_ratio(last, _move(bn.move_median, market, 7, 1)),
        "dev_med_30": lambda: _log_ratio(last, _move(bn.move_median, market, 30, 1)),
        "dev_mean_3": lambda: _log_ratio(last, _move(bn.move_mean, market, 3, 1)),
        "vol_7": lambda: _move(bn.move_std, returns, 7, 2),
        "vol_30": lambda: _move(bn.move_std, returns, 30, 2),
        "momentum_3": lambda: _log_ratio(_move(bn.move_mean, last, 3, 1), _shift(last, 3)),
        # Observed days among the last 30: a bounded window, so training and scoring (which load different
        # lengths of history) see the same number for the same series.
        "days_observed": lambda: _move(bn.move_sum, (~np.isnan(market)).astype(float), HISTORY_WINDOW_DAYS, 1),
        "flat_share_30": lambda: 1.0 - _move(bn.move_mean, changed, 30, 1),
        "spread_high_low": lambda: _log_ratio(panel.high, panel.low),
        "spread_mid": lambda: _log_ratio(panel.mid, market),
        "spread_low": lambda: _log_ratio(panel.low, market),
        "set_age_days": lambda: day_numbers - release[None, :],
        "variant_code": lambda: ones * variant_code[None, :],
        "rarity_code": lambda: ones * rarity_code[None, :],
        "newness_days": lambda: _newness(market),
        "drawdown_90": lambda: _log_ratio(last, _move(bn.move_max, last, LONG_WINDOW_DAYS, 1)),
        "dev_med_90": lambda: _log_ratio(last, _move(bn.move_median, market, LONG_WINDOW_DAYS, 1)),
        "set_ret_30": lambda: _group_median(ret_30(), panel.series["set_id"].to_numpy()),
        "catalogue_ret_30": lambda: _group_median(ret_30(), panel.series["category_id"].to_numpy()),
        "category_code": lambda: ones * category_code[None, :],
        # The three naive fair prices a model must beat.
        "baseline_last_price": lambda: last,
        "baseline_rolling_median_7": lambda: _move(bn.move_median, market, 7, 1),
        "baseline_seed_mean_3": lambda: _move(bn.move_mean, market, 3, 1),  # the seed: mean of 3 rows incl. today
    }


def feature_arrays(panel: Panel) -> dict[str, np.ndarray]:
    """All features and baselines as full day × series arrays (for inspection and tests; memory-hungry)."""
    return {name: make() for name, make in _feature_makers(panel).items()}


def target_array(panel: Panel, horizon: int, min_observations: int = 3) -> np.ndarray:
    """Fair price: the median market price over the next `horizon` days (NaN when too few are observed)."""
    future = np.full_like(panel.market, np.nan)
    future[:-horizon] = bn.move_median(panel.market[::-1], horizon, min_count=min_observations, axis=0)[::-1][
        1 : len(panel.days) - horizon + 1
    ]
    return future


def frame_for_days(panel: Panel, day_positions: list[int], with_target: int | None = None,
                   sample: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Long rows (one per series priced on each requested day) with features, baselines and target.

    With `sample`, at most that many rows are drawn at random before any feature is gathered.
    """
    days = np.asarray(day_positions, dtype=int)
    target = target_array(panel, with_target) if with_target else None
    usable = ~np.isnan(panel.market[days])
    if target is not None:
        usable &= ~np.isnan(target[days])
    day_idx, series_idx = np.nonzero(usable)
    if sample is not None and len(day_idx) > sample:
        keep = np.sort(np.random.default_rng(seed).choice(len(day_idx), size=sample, replace=False))
        day_idx, series_idx = day_idx[keep], series_idx[keep]
    rows = days[day_idx]
    out = panel.series.iloc[series_idx][["product_id", "variant", "set_id", "category_id"]].reset_index(drop=True)
    out["as_of"] = panel.days[rows].date
    for name, values in (("market", panel.market), ("low", panel.low), ("high", panel.high)):
        out[name] = values[rows, series_idx]
    for name, make in _feature_makers(panel).items():
        out[name] = make()[rows, series_idx]
    if target is not None:
        out["target"] = target[rows, series_idx]
    return out
