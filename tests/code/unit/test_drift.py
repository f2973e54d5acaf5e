"""The drift watch: PSI itself, and a shifted feature on the real sample is named; an unshifted day is quiet."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pokewatch import drift
from pokewatch.demo import SAMPLE_PRICES
from pokewatch.features import FEATURE_LOOKBACK_DAYS
from pokewatch.sources.files import read_price_history


def test_psi_is_zero_for_the_same_distribution_and_grows_with_the_shift():
    rng = np.random.default_rng(0)
    reference = rng.normal(0, 1, 20_000)
    assert drift.psi(reference, rng.normal(0, 1, 20_000)) < 0.01
    small, large = drift.psi(reference, rng.normal(0.2, 1, 20_000)), drift.psi(reference, rng.normal(1.0, 1, 20_000))
    assert 0.01 < small < 0.25 < large
    # by hand: two bins, 50/50 against 80/20
    assert drift.psi_shares([0.5, 0.5], [0.8, 0.2]) == pytest.approx(0.3 * np.log(1.6) - 0.3 * np.log(0.4))
    assert drift.psi([0, 0, 1, 1], [0, 1, 1, 1], categorical=True) == pytest.approx(
        drift.psi_shares([0.5, 0.5], [0.25, 0.75]))


@pytest.fixture(scope="module")
def sample():
    prices = read_price_history(SAMPLE_PRICES)
    last = max(prices["as_of"])
    keep = pd.to_datetime(prices["as_of"]) > pd.Timestamp(last) - pd.Timedelta(days=FEATURE_LOOKBACK_DAYS + 60)
    return prices[keep].reset_index(drop=True), last


def _measure(prices, day, threshold=0.25, mix_today=None, mix_before=None):
    empty = pd.Series(dtype=float)
    return drift.measure(prices, None, None, day, 7, mix_today if mix_today is not None else empty,
                         mix_before if mix_before is not None else empty, threshold)


def test_a_shifted_day_is_reported_with_the_features_that_moved(sample):
    prices, last = sample
    shocked = prices.copy()
    today = shocked["as_of"] == last
    for column in ("low", "mid", "high", "market"):
        shocked.loc[today, column] = shocked.loc[today, column] * 3  # every price tripled overnight
    result = _measure(shocked, last)
    moved = set(result.drifted["name"])
    assert {"ret_1", "price_level", "log_last"} <= moved
    message = result.message()
    assert message.startswith(f"drift on {last}: ") and "ret_1 (PSI" in message and "past the threshold 0.25" in message
    quiet = _measure(prices, last)
    for feature in ("ret_1", "price_level", "log_last"):
        assert quiet.rows.set_index("name").loc[feature, "value"] < 0.25
    assert result.rows.set_index("name").loc["ret_1", "value"] > 10 * quiet.rows.set_index("name").loc["ret_1", "value"]


def test_set_age_is_compared_at_todays_age(sample):
    prices, last = sample
    result = _measure(prices, last)
    # Without ageing the reference, a set a month older would look like a shift every day.
    assert result.rows.set_index("name").loc["set_age_days", "value"] < 1.0
    assert set(result.rows["measure"]) == {"feature", "price_level"}  # no earlier signals: no mix measure


def test_the_signal_mix_is_compared_with_the_last_runs(sample):
    prices, last = sample
    before = pd.Series({"BUY": 10.0, "SELL": 10.0, "HOLD": 980.0})
    same = _measure(prices, last, mix_today=pd.Series({"BUY": 1.0, "SELL": 1.0, "HOLD": 98.0}), mix_before=before)
    flipped = _measure(prices, last, mix_today=pd.Series({"BUY": 40.0, "SELL": 1.0, "HOLD": 59.0}), mix_before=before)
    mix = lambda r: r.rows.set_index("name").loc["signal_mix"]  # noqa: E731
    assert mix(same)["value"] < 0.01 and not mix(same)["drifted"]
    assert mix(flipped)["drifted"] and "signal_mix" in flipped.message()
    assert mix(flipped)["detail"].startswith("today BUY 40.0% / SELL 1.0% / HOLD 59.0%")
