"""Publication replaces a day's signals for a model version in one transaction, or not at all."""

import datetime as dt
import uuid

import pandas as pd
import psycopg
import pytest

from pokewatch import db
from pokewatch.publish import publish_signals

DAY = dt.date(2025, 10, 26)


def signals(n: int, fair: float = 10.0, run_id=None) -> pd.DataFrame:
    return pd.DataFrame({
        "product_id": range(1, n + 1), "variant": "Normal", "as_of": DAY, "model_version": 1,
        "market_price": 9.0, "fair_price": fair, "fair_low": 8.0, "fair_high": 12.0, "deviation_pct": -10.0,
        "signal": "HOLD", "confidence": 0.5, "reason": "within fair band", "run_id": str(run_id or uuid.uuid4()),
        "cost_share": 0.25, "horizon_days": 7, "profile": "collector", "net_return": -0.25,
    })


def test_each_series_is_ranked_by_expected_return_within_its_profile_and_horizon(settings, conn):
    day = pd.concat([signals(4).assign(fair_price=[9.0, 9.9, 10.8, 9.45]),  # +0 %, +10 %, +20 %, +5 %
                     signals(4).assign(profile="seller", fair_price=[9.9, 9.9, 9.0, 9.0])])
    with db.connect(settings) as c:
        publish_signals(c, day, DAY, 1)
    got = conn.execute("select profile, product_id, return_rank_pct from pokewatch.signals "
                       "order by profile, product_id").fetchall()
    assert got == [("collector", 1, 0.25), ("collector", 2, 0.75), ("collector", 3, 1.0), ("collector", 4, 0.5),
                   ("seller", 1, 0.875), ("seller", 2, 0.875), ("seller", 3, 0.375), ("seller", 4, 0.375)]


def test_republishing_a_day_replaces_it_exactly(settings, conn):
    with db.connect(settings) as c:
        assert publish_signals(c, signals(100), DAY, 1) == 100
    with db.connect(settings) as c:
        assert publish_signals(c, signals(60, fair=11.0), DAY, 1) == 60
    assert conn.execute("select count(*), min(fair_price), max(fair_price) from pokewatch.signals").fetchone() == (
        60, 11, 11)


def test_a_failing_publication_leaves_the_previous_set_intact(settings, conn):
    with db.connect(settings) as c:
        publish_signals(c, signals(100), DAY, 1)
    bad = signals(80, fair=11.0)
    bad.loc[79, "fair_low"] = 20.0  # breaks fair_low <= fair_price on the last row
    with pytest.raises(psycopg.errors.CheckViolation):
        with db.connect(settings) as c:
            publish_signals(c, bad, DAY, 1)
    assert conn.execute("select count(*), max(fair_price) from pokewatch.signals").fetchone() == (100, 10)
