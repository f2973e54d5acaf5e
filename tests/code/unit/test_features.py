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
    for name in ("days_observed", "dev_med_7", "vol_7", "ret_7", "log_last"):
        np.testing.assert_allclose(a[name], b[name], atol=1e-8, equal_nan=True, err_msg=name)  # running sums
