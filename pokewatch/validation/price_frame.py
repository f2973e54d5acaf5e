"""Price rows made ready for the daily_prices suite: the raw columns as given, plus the derived columns the suite
checks (a day's distance from today, prices with 999 placeholders read as none, the market's distance from its
listings and its move since the series' previous day)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import bottleneck as bn
import numpy as np
import pandas as pd

from pokewatch.landing_schema import NUMERIC_COLUMNS, PLACEHOLDER_PRICE

# Computed here before GX runs (checked by the suite, never stored).
DERIVED_COLUMNS = {"days_ahead", "low_price", "mid_price", "high_price", "market_band_ratio", "market_move_factor",
                   "set_move_factor"}
# A set's move is judged on its median series, and only where enough series have a price on both days.
SET_MOVE_MIN_SERIES = 20
# A price is judged against the series' recent level: the median of its last REFERENCE_DAYS landed days.
REFERENCE_DAYS = 7


def _iso_days(series: pd.Series) -> tuple[pd.Series, dict[Any, dt.date | None]]:
    """Any date-like column as ISO text (YYYY-MM-DD), mapped per distinct value (fast on 1.5 M rows)."""
    parsed: dict[Any, dt.date | None] = {}
    for value in pd.unique(series):
        parsed[value] = as_date(value)
    text = {k: (v.isoformat() if v else (None if _isnull(k) else str(k))) for k, v in parsed.items()}
    return series.map(text), parsed


def _isnull(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def as_date(value: Any) -> dt.date | None:
    if _isnull(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


def prepare_prices(
    frame: pd.DataFrame,
    previous: pd.DataFrame | None,
    today: dt.date,
    min_move_dollars: float,
) -> pd.DataFrame:
    """The frame as given (raw columns validated as they are) plus the derived columns the suite checks."""
    out = frame.reset_index(drop=True).copy()
    for column in ("product_id", "set_id", *NUMERIC_COLUMNS):
        # nullable numbers (Int64, Float64) are numbers: validate them as float64 (GX's type check is by name)
        if column in out.columns and isinstance(out[column].dtype, pd.api.extensions.ExtensionDtype) \
                and pd.api.types.is_numeric_dtype(out[column].dtype):
            out[column] = out[column].astype("float64")
    derived: dict[str, pd.Series] = {}
    if "as_of" in out.columns:
        out["as_of"], parsed = _iso_days(out["as_of"])
        ahead = {k: ((v - today).days if v else np.nan) for k, v in parsed.items()}
        derived["days_ahead"] = frame["as_of"].reset_index(drop=True).map(ahead).astype("float64")
    else:
        derived["days_ahead"] = pd.Series(np.nan, index=out.index)
    low, mid, high, market = (_numeric(out, c) for c in ("low", "mid", "high", "market"))
    # 999.0 in low/mid/high is tcgcsv's "listed, nobody offers it": no price, not an error.
    low_price = low.where(low != PLACEHOLDER_PRICE)
    high_price = high.where(high != PLACEHOLDER_PRICE)
    derived["low_price"] = low_price
    derived["mid_price"] = mid.where(mid != PLACEHOLDER_PRICE)
    derived["high_price"] = high_price
    with np.errstate(divide="ignore", invalid="ignore"):
        band = np.fmax((low_price / market).to_numpy(), (market / high_price).to_numpy())
    band[~np.isfinite(band) & market.notna().to_numpy() & (market.to_numpy() == 0)] = np.inf
    derived["market_band_ratio"] = pd.Series(band, index=out.index).where(market.notna())
    before = _previous_market(out, market, previous)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (market / before).where((market > 0) & (before > 0))
        factor = np.fmax(ratio, 1 / ratio)
    derived["market_move_factor"] = factor.where((market - before).abs() >= min_move_dollars)
    derived["set_move_factor"] = _set_move_factor(out, ratio)
    return out.assign(**derived)


def _set_move_factor(out: pd.DataFrame, ratio: pd.Series) -> pd.Series:
    """Per row, its set's median day-over-day move as max(r, 1/r): a whole set ×100 (a unit or feed error) shows
    here even when each series' move is under the per-series dollar threshold."""
    if "set_id" not in out.columns or "as_of" not in out.columns or ratio.isna().all():
        return pd.Series(np.nan, index=out.index)
    keys = [out["as_of"], out["set_id"]]
    grouped = ratio.groupby(keys)
    median = grouped.transform("median").where(grouped.transform("count") >= SET_MOVE_MIN_SERIES)
    return np.fmax(median, 1 / median)


def _recent_median(rows: pd.DataFrame) -> np.ndarray:
    """Per row of a frame sorted by series and day: the median market of the series' REFERENCE_DAYS rows before it
    (the first of which may be the warehouse's recent median), so one junk day is judged against the level around
    it and the good day after it is not judged against the junk."""
    group = rows.groupby(["product_id", "variant"], sort=False).ngroup().to_numpy()
    market = rows["market"].to_numpy(dtype="float64")
    lags = np.full((len(rows), REFERENCE_DAYS), np.nan)
    for k in range(1, min(REFERENCE_DAYS, len(rows) - 1) + 1):
        lags[k:, k - 1] = np.where(group[k:] == group[:-k], market[:-k], np.nan)
    return bn.nanmedian(lags, axis=1)


def _previous_market(out: pd.DataFrame, market: pd.Series, previous: pd.DataFrame | None) -> pd.Series:
    """Each row's reference market: the series' recent median (`previous`) for a day, the median of its last
    REFERENCE_DAYS rows (earlier in the frame, or `previous`) for a frame of several days; NaN when none."""
    if "product_id" not in out.columns or "variant" not in out.columns or "as_of" not in out.columns:
        return pd.Series(np.nan, index=out.index)
    cur = pd.DataFrame(
        {"product_id": out["product_id"], "variant": out["variant"].astype("object"),
         "as_of": out["as_of"], "market": market, "pos": np.arange(len(out))}
    )
    parts = [cur]
    if previous is not None and len(previous):
        prev = pd.DataFrame(
            {"product_id": previous["product_id"].to_numpy(), "variant": previous["variant"].astype("object").to_numpy(),
             "as_of": "0000-00-00", "market": _numeric(previous, "market").to_numpy(), "pos": -1}
        )
        parts.insert(0, prev)
    multi_day = cur["as_of"].nunique(dropna=True) > 1
    if len(parts) == 1 and not multi_day:
        return pd.Series(np.nan, index=out.index)
    both = pd.concat(parts, ignore_index=True)
    if not multi_day:
        # one day against the previous one: a join is cheaper than a sort
        prev_market = (
            both[both["pos"] < 0].drop_duplicates(["product_id", "variant"]).set_index(["product_id", "variant"])["market"]
        )
        idx = pd.MultiIndex.from_arrays([cur["product_id"], cur["variant"]])
        before = pd.Series(prev_market.reindex(idx).to_numpy(), index=out.index)
    else:
        both = both.sort_values(["product_id", "variant", "as_of"], kind="stable")
        both["before"] = _recent_median(both)
        mine = both[both["pos"] >= 0]
        before = pd.Series(np.nan, index=out.index)
        before.iloc[mine["pos"].to_numpy()] = mine["before"].to_numpy()
    return before
