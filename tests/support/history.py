"""The real tcgcsv history (36 days, 1.54 M rows) read once per session (pytest plugin, registered in
tests/conftest.py): the data-contract tests and the reliability tests damage copies of its days."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

DAY = dt.date(2025, 10, 26)
PREVIOUS_DAY = dt.date(2025, 10, 25)


@pytest.fixture(scope="session")
def history() -> pd.DataFrame:
    """All 36 real days (1.54 M rows) in the landing schema."""
    from pokewatch.sources.files import read_price_history
    from tests.conftest import HISTORY_PARQUET

    return read_price_history(HISTORY_PARQUET)


@pytest.fixture(scope="session")
def full_day(history) -> pd.DataFrame:
    return history[history["as_of"] == DAY].reset_index(drop=True)


@pytest.fixture(scope="session")
def full_previous(history) -> pd.DataFrame:
    return history[history["as_of"] == PREVIOUS_DAY].reset_index(drop=True)


@pytest.fixture
def day(full_day) -> pd.DataFrame:
    """A fresh copy of the real day, safe to damage."""
    return full_day.copy()
