"""The one time split: which days a model fits and calibrates on, and which it is judged on.

Day positions index a panel's days. A day's target looks `horizon` days ahead, so every earlier slice stops
`horizon` days before the next one starts: nothing a model fits on overlaps what it is calibrated or judged on.
Training (`time_split`) and the walk-forward backtest (`training_days` at each retraining day) use the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass

CALIBRATION_DAYS = 3
LOOKBACK_DAYS = 120  # fit days at most
MIN_FIT_DAYS = 3
# With this much history before the calibration days, fitting stops a horizon before them too, so the
# guard and the band are chosen on rows whose targets the fit never overlapped (see fit_end_before).
MIN_GAPPED_FIT_DAYS = 21


class NotEnoughHistory(RuntimeError):
    """Too few landed days to train and evaluate honestly."""


@dataclass(frozen=True)
class Split:
    fit_days: list[int]
    calibration_days: list[int]
    test_days: list[int]


def fit_end_before(calibration_start: int, horizon: int) -> int:
    """Last fit day: a horizon before calibration when history allows, else the day before it.

    Targets of the last fit days look into the calibration days; with a long history a gap of `horizon`
    days keeps calibration honest (the guard in FairPriceModel is chosen there). A short history (the
    36-day catalogue) cannot spare the days, and fits up to the day before calibration.
    """
    gapped = calibration_start - horizon - 1
    return gapped if gapped >= MIN_GAPPED_FIT_DAYS else calibration_start - 1


def training_days(day: int, horizon: int, lookback_days: int = LOOKBACK_DAYS) -> tuple[list[int], list[int]]:
    """Fit and calibration days of a model used from `day` on: every target it sees ends before `day`."""
    calibration_end = day - horizon - 1
    calibration_start = calibration_end - CALIBRATION_DAYS + 1
    fit_end = fit_end_before(calibration_start, horizon)
    fit_start = max(1, fit_end - lookback_days + 1)
    return list(range(fit_start, fit_end + 1)), list(range(calibration_start, calibration_end + 1))


def can_train(day: int, horizon: int) -> bool:
    """Whether a model used from `day` on has enough fit days before its calibration days."""
    fit, _ = training_days(day, horizon)
    return len(fit) >= MIN_FIT_DAYS


def time_split(last_day: int, horizon: int, holdout_days: int) -> Split:
    """Test on the last `holdout_days` labelled days before `last_day`; fit and calibrate as a model trained
    on the first test day would (training_days)."""
    test_end = last_day - horizon
    test_start = test_end - holdout_days + 1
    if not can_train(test_start, horizon):
        need = horizon * 2 + holdout_days + CALIBRATION_DAYS + MIN_FIT_DAYS + 1
        raise NotEnoughHistory(
            f"training at a {horizon}-day horizon needs at least {need} days of landed prices; "
            f"found {last_day + 1} (import history with `pokewatch import` or `pokewatch backfill`)"
        )
    fit, calibration = training_days(test_start, horizon)
    return Split(fit, calibration, list(range(test_start, test_end + 1)))
