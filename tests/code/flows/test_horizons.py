"""Several forecast horizons in one nightly: a champion per horizon (its own alias), signals and walk-forward
records per horizon, and a horizon whose model does not beat last price says "no edge at N days"."""

from __future__ import annotations

import datetime as dt

import pytest

from pokewatch import db, registry
from pokewatch.settings import Settings

DAY = dt.date(2025, 10, 26)


def test_settings_name_each_horizon_s_champion_and_keep_the_first_as_primary():
    settings = Settings(horizons="30,7,30")
    assert settings.forecast_horizons == [30, 7] and settings.horizon_days == 30
    seven = settings.for_horizon(7)
    assert seven.horizon_days == 7 and seven.forecast_horizons == [30, 7]
    assert registry.alias_for(settings, registry.CHAMPION) == "champion"
    assert registry.alias_for(seven, registry.CHAMPION) == "champion-7d"
    assert Settings(horizons=None).forecast_horizons == [7, 30, 90]  # the default: a week, a month, a quarter
    assert Settings(horizons=None, horizon_days=30).forecast_horizons == [30, 7, 90]
    assert Settings(horizons="7").forecast_horizons == [7]
    with pytest.raises(ValueError, match="horizons must be positive"):
        Settings(horizons="7,-1")


def test_each_horizon_publishes_with_its_own_champion_and_a_too_long_one_says_no_edge(demo_nightly_settings):
    """On a copy of the session's demo nightly (7 days), a nightly at 7, 30 and 400 days: 30 gets its own champion,
    signals and walk-forward record; 400 is more than the sample's history can train for, so it publishes HOLD and
    says why. (7, 30, 90 is the product's default; the demo runs it: docs/model.md.)"""
    from flows.nightly import nightly

    results = nightly(as_of=DAY, skip_collect=True, horizons=[7, 30, 400])
    settings = demo_nightly_settings.with_horizons([7, 30, 400])
    assert "train_400d" not in results and results["score_400d"].model_version == 0
    trained = {7: results["train"], 30: results["train_30d"]}
    scored = {7: results["score"], 30: results["score_30d"], 400: results["score_400d"]}
    assert {h: t.metrics["horizon_days"] for h, t in trained.items()} == {7: 7, 30: 30}
    assert trained[7].version != trained[30].version  # one registered model, a version per training
    for h in (7, 30):
        champion = registry.load_alias(settings.for_horizon(h), registry.CHAMPION)
        if trained[h].promoted:
            assert champion is not None and champion.version == trained[h].version == scored[h].model_version
        elif champion is None:  # no model at this horizon ever beat last price: HOLD at the last price, saying so
            assert scored[h].model_version == 0
        else:  # a champion from before (the session's at 7 days) keeps scoring
            assert h == 7 and champion.version == scored[h].model_version
    with db.connect(settings) as conn:
        published = dict(conn.execute("select horizon_days, count(*) from pokewatch.signals where as_of = %s "
                                      "group by 1", (DAY,)).fetchall())
        reasons = {r[0] for r in conn.execute("select distinct reason from pokewatch.signals where as_of = %s "
                                              "and horizon_days = 400", (DAY,))}
        shown = conn.execute("select distinct horizon_days from pokewatch.latest_signals").fetchall()
        edges = {r[0] for r in conn.execute("select distinct horizon_days from pokewatch.signal_edges")}
        for h in (7, 30, 400):  # ranks only where the horizon's walk-forward ranks the universe
            proven = conn.execute("select proven from pokewatch.ranking_skill where horizon_days = %s "
                                  "order by measured_at desc limit 1", (h,)).fetchone()
            ranked, rows = conn.execute("select count(return_rank_pct), count(*) from pokewatch.signals "
                                        "where as_of = %s and horizon_days = %s", (DAY, h)).fetchone()
            assert ranked == (rows if proven and proven[0] and scored[h].model_version else 0), (h, proven, ranked)
    assert published == {h: scored[7].rows for h in (7, 30, 400)}  # every series × profile at every horizon
    assert shown == [(7,)]  # the primary horizon is the one views show
    assert len(reasons) == 1 and reasons.pop().startswith(
        "no edge at 400 days: training at a 400-day horizon needs at least 814 days")
    if trained[30].promoted:
        assert 30 in edges  # a new champion's classes get their walk-forward record at its horizon
