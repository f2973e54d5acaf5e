"""Features see only the past; the target only the future; both on real tcgcsv history."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from pokewatch.demo import SAMPLE_PRICES
from pokewatch.features import (
    FEATURE_LOOKBACK_DAYS,
    FEATURES,
    build_panel,
    feature_arrays,
    frame_for_days,
    target_array,
)
from pokewatch.sources.files import read_price_history


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return read_price_history(SAMPLE_PRICES)


def test_features_of_a_day_do_not_change_when_later_days_are_added(history):
    cut = dt.date(2025, 10, 12)
    full = build_panel(history)
    truncated = build_panel(history[history["as_of"] <= cut])
    day_full = frame_for_days(full, [full.day_index(cut)]).set_index(["product_id", "variant"])
    day_cut = frame_for_days(truncated, [truncated.day_index(cut)]).set_index(["product_id", "variant"])
    day_full = day_full.loc[day_cut.index]
    for name in FEATURES:
        np.testing.assert_allclose(day_full[name], day_cut[name], equal_nan=True, err_msg=name)


def test_target_is_the_median_of_the_next_days(history):
    panel = build_panel(history)
    target = target_array(panel, horizon=7)
    j, col = 10, int(np.flatnonzero(~np.isnan(panel.market[11:18]).any(axis=0))[0])
    expected = np.nanmedian(panel.market[11:18, col])
    assert target[j, col] == pytest.approx(expected)
    assert np.isnan(target[-7:]).all(), "the last horizon days have no future to learn from"


def test_placeholder_and_non_positive_prices_are_not_prices(history):
    day = history[history["as_of"] == dt.date(2025, 10, 26)].copy()
    day.loc[day.index[0], "high"] = 999.0
    day.loc[day.index[1], "market"] = -3.0
    panel = build_panel(day)
    assert np.isnan(panel.high[0, 0])
    assert np.isnan(panel.market[0, 1])


def test_flat_share_and_days_observed_are_in_range(history):
    features = feature_arrays(build_panel(history))
    flat = features["flat_share_30"][~np.isnan(features["flat_share_30"])]
    assert ((flat >= 0) & (flat <= 1)).all()
    assert features["days_observed"].max() <= 30  # counted over the last 30 days


def test_features_of_a_day_do_not_depend_on_how_much_older_history_is_loaded(history):
    """Training loads more history than scoring: the same day must get the same features either way."""
    last = history["as_of"].max()
    full = build_panel(history)
    # what scoring loads (the sample holds 627 days)
    recent = build_panel(history[history["as_of"] > last - dt.timedelta(days=FEATURE_LOOKBACK_DAYS)])
    a = frame_for_days(full, [full.day_index(last)]).set_index(["product_id", "variant"])
    b = frame_for_days(recent, [recent.day_index(last)]).set_index(["product_id", "variant"])
    a = a.loc[b.index]
    for name in ("days_observed", "dev_med_7", "vol_7", "ret_7", "log_last", "newness_days", "drawdown_90",
                 "dev_med_90", "set_ret_30", "catalogue_ret_30"):
        np.testing.assert_allclose(a[name], b[name], atol=1e-8, equal_nan=True, err_msg=name)  # running sums


def test_long_horizon_features_mean_what_they_say():
    """Newness counts days since the first price (capped), drawdown is against the long high, and the set and
    catalogue momentum are the medians of their series' 30-day returns."""
    days = pd.date_range("2025-01-01", periods=130, freq="D").date
    rows = []
    for i, day in enumerate(days):
        rows.append((day, 1, "Normal", 10, 3, 10.0 * (1.01 ** min(i, 100)) * (0.5 if i >= 120 else 1.0)))
        rows.append((day, 2, "Normal", 10, 3, 20.0))
        if i >= 100:  # a product first priced on day 100
            rows.append((day, 3, "Normal", 11, 85, 5.0))
    history = pd.DataFrame(rows, columns=["as_of", "product_id", "variant", "set_id", "category_id", "market"])
    for column in ("low", "mid", "high"):
        history[column] = np.nan
    panel = build_panel(history)
    features = feature_arrays(panel)
    assert features["newness_days"][129, 2] == 29  # first priced 29 days before the last day
    assert features["newness_days"][129, 0] == 89  # priced all along the 90-day window
    assert features["drawdown_90"][129, 0] == pytest.approx(np.log(0.5))
    assert features["drawdown_90"][129, 1] == pytest.approx(0.0)
    ret_1 = np.log(panel.market[110, 0] / panel.market[80, 0])
    assert features["set_ret_30"][110, 0] == pytest.approx(np.median([ret_1, 0.0]))  # set 10: products 1 and 2
    assert np.isnan(features["set_ret_30"][110, 2])  # product 3 has no 30-day return yet
    assert features["catalogue_ret_30"][110, 1] == pytest.approx(np.median([ret_1, 0.0]))
    assert set(np.unique(features["category_code"])) == {0.0, 1.0}
