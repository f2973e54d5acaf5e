"""The nightly demo run on Dask (a LocalCluster of 2 worker processes, the catalogue in several partitions)
publishes exactly the signals the default thread runner publishes in one partition."""

from __future__ import annotations

import datetime as dt

import pytest

from pokewatch import db

pytestmark = pytest.mark.slow

DAY = dt.date(2025, 10, 26)
COMPARED = ("product_id, variant, as_of, model_version, market_price, fair_price, fair_low, fair_high, "
            "deviation_pct, signal, confidence, reason")


def signals(settings) -> list[tuple]:
    """The 7-day signals (the horizon both runs forecast here)."""
    with db.connect(settings) as conn:
        return conn.execute(f"select {COMPARED} from pokewatch.signals where horizon_days = 7 "
                            "order by product_id, variant, as_of, model_version, profile").fetchall()


def use(monkeypatch, **env) -> None:
    from pokewatch.settings import get_settings

    for name, value in env.items():
        monkeypatch.setenv(f"POKEWATCH_{name.upper()}", str(value))
    get_settings.cache_clear()


def test_dask_partitions_publish_the_same_signals_as_the_default_runner(demo_nightly, demo_nightly_settings,
                                                                       monkeypatch):
    from flows.nightly import nightly

    flow_settings = demo_nightly_settings
    # The session's `nightly(demo=True)` (thread runner, default partition size: the whole demo in one partition),
    # and a copy of the warehouse and MLflow store it left.
    default = demo_nightly.results
    assert default["score"].partitions == 1
    before = signals(flow_settings)
    assert len(before) == default["score"].rows > 1000

    use(monkeypatch, task_runner="dask", dask_workers=2, partition_size=400)
    # the same day on the landed sample (no reload): retrains (a tie keeps the champion) and scores on Dask
    on_dask = nightly(as_of=DAY, skip_collect=True)
    after = signals(flow_settings)

    assert on_dask["score"].partitions >= 4
    assert on_dask["score"].model_version == default["score"].model_version
    assert on_dask["score"].counts == default["score"].counts
    assert after == before  # same rows, same values, down to the last digit
    with db.connect(flow_settings) as conn:
        runs = conn.execute("select count(distinct run_id) from pokewatch.signals where horizon_days = 7").fetchone()[0]
    assert runs == 1  # one run's set, published whole
