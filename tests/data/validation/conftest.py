"""Real tcgcsv days for the data-contract tests (each bad input is a real day with one defect injected)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

# `history`, `full_day`, `full_previous` and `day` are session-wide fixtures (tests/support/history.py).
from tests.support.history import DAY, PREVIOUS_DAY  # noqa: F401  (re-exported)

# Validation checks the calendar against "today": pin it so the real 2025 days are not "in the future" and
# the tests do not depend on when they run.
TODAY = dt.date(2025, 10, 27)


@pytest.fixture(scope="session")
def few_sets(history) -> list[int]:
    """A handful of real sets (old and new, ~2.5 k rows a day) to keep database tests quick."""
    counts = history[history["as_of"] == DAY].groupby("set_id").size()
    return sorted(counts[(counts > 150) & (counts < 700)].index[:6].tolist())


@pytest.fixture(scope="session")
def small_history(history, few_sets) -> pd.DataFrame:
    return history[history["set_id"].isin(few_sets)].reset_index(drop=True)
