"""Real tcgcsv days for the data-contract tests (each bad input is a real day with one defect injected)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pokewatch.sources.files import read_price_history
from tests.conftest import HISTORY_PARQUET

DAY = dt.date(2025, 10, 26)
PREVIOUS_DAY = dt.date(2025, 10, 25)
# Validation checks the calendar against "today": pin it so the real 2025 days are not "in the future" and
# the tests do not depend on when they run.
TODAY = dt.date(2025, 10, 27)


@pytest.fixture(scope="session")
def history() -> pd.DataFrame:
    """All 36 real days (1.54 M rows) in the landing schema."""
    return read_price_history(HISTORY_PARQUET)


@pytest.fixture(scope="session")
def full_day(history) -> pd.DataFrame:
    return history[history["as_of"] == DAY].reset_index(drop=True)


@pytest.fixture(scope="session")
def full_previous(history) -> pd.DataFrame:
    return history[history["as_of"] == PREVIOUS_DAY].reset_index(drop=True)


@pytest.fixture(scope="session")
def few_sets(history) -> list[int]:
    """A handful of real sets (old and new, ~2.5 k rows a day) to keep database tests quick."""
    counts = history[history["as_of"] == DAY].groupby("set_id").size()
    return sorted(counts[(counts > 150) & (counts < 700)].index[:6].tolist())


@pytest.fixture
def day(full_day) -> pd.DataFrame:
    """A fresh copy of the real day, safe to damage."""
    return full_day.copy()


@pytest.fixture(scope="session")
def small_history(history, few_sets) -> pd.DataFrame:
    return history[history["set_id"].isin(few_sets)].reset_index(drop=True)
