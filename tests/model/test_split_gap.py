"""Fit stops a horizon before calibration when the history can spare it; the backtest flow's parameters."""

import datetime as dt
import inspect

from pokewatch import backtest
from pokewatch.demo import SAMPLE_PRICES
from pokewatch.features import build_panel
from pokewatch.sources.files import read_price_history
from pokewatch.split import MIN_GAPPED_FIT_DAYS, fit_end_before, time_split


def test_long_history_gets_a_gap_between_fit_and_calibration(shared_dir):
    history = backtest.load_dataset("sealed", shared_dir / "data/sealed/sealed_market_prices_daily_2024-02-08_2025-10-09.parquet")
    panel = build_panel(history[history["product_id"].isin(history["product_id"].unique()[:20])])
    split = time_split(panel.day_index(dt.date(2025, 10, 9)), horizon=7, holdout_days=7)
    # No fit target (day j looks at j+1..j+7) reaches the calibration days.
    assert split.fit_days[-1] + 7 < split.calibration_days[0]
    assert split.calibration_days[-1] + 7 < split.test_days[0]


def test_a_short_history_fits_up_to_calibration():
    history = read_price_history(SAMPLE_PRICES)
    panel = build_panel(history[history["as_of"] >= dt.date(2025, 9, 21)])  # the 36-day catalogue's span
    split = time_split(panel.day_index(dt.date(2025, 10, 26)), horizon=7, holdout_days=7)
    assert split.fit_days[-1] == split.calibration_days[0] - 1
    assert fit_end_before(MIN_GAPPED_FIT_DAYS + 8, 7) == MIN_GAPPED_FIT_DAYS
    assert fit_end_before(MIN_GAPPED_FIT_DAYS + 7, 7) == MIN_GAPPED_FIT_DAYS + 6


def test_backtest_flow_defaults():
    from flows.backtest import backtest as flow

    params = inspect.signature(flow.fn).parameters
    assert flow.name == "backtest"
    assert params["dataset"].default == "sealed" and params["horizons"].default == [7, 30]
    assert params["retrain_every"].default == 30
