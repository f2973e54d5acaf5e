"""The time split never lets a model be judged on days its training targets overlap."""

import datetime as dt

import pytest

from pokewatch.demo import SAMPLE_PRICES
from pokewatch.features import build_panel
from pokewatch.sources.files import read_price_history
from pokewatch.split import NotEnoughHistory, time_split


@pytest.fixture(scope="module")
def panel():
    """The sample's 36 catalogue days (its sealed products' longer history left out)."""
    history = read_price_history(SAMPLE_PRICES)
    return build_panel(history[history["as_of"] >= dt.date(2025, 9, 21)])


def test_every_split_ends_a_horizon_before_the_next_begins(panel):
    horizon = 7
    split = time_split(panel.day_index(dt.date(2025, 10, 26)), horizon=horizon, holdout_days=7)
    assert split.test_days[-1] + horizon == panel.day_index(dt.date(2025, 10, 26))
    assert split.calibration_days[-1] + horizon < split.test_days[0]
    assert split.fit_days[-1] < split.calibration_days[0]
    assert len(split.test_days) == 7


def test_too_little_history_is_a_clear_error(panel):
    with pytest.raises(NotEnoughHistory, match="needs at least"):
        time_split(panel.day_index(dt.date(2025, 10, 5)), horizon=7, holdout_days=7)


def test_training_and_the_backtest_share_one_split(panel):
    """A model judged on the test days is fitted and calibrated exactly as a backtest model retrained on the
    first test day: one rule (split.training_days) serves both."""
    from pokewatch.split import training_days

    split = time_split(panel.day_index(dt.date(2025, 10, 26)), horizon=7, holdout_days=7)
    assert training_days(split.test_days[0], 7) == (split.fit_days, split.calibration_days)
