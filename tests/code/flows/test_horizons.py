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


def test_each_horizon_publishes_with_its_own_champion_and_a_too_long_one_says_no_edge(demo_nightly,
                                                                                      demo_nightly_settings):
    """The session's demo nightly forecasts the product's horizons (7, 30, 90 days); on a copy of it, a nightly
    asked for 400 days (more than the sample's history can train for) publishes HOLD for that one and says why."""
    from flows.nightly import nightly

    results = demo_nightly.results
    settings = demo_nightly_settings.with_horizons([7, 30, 90])
    trained = {h: results["train" if h == 7 else f"train_{h}d"] for h in (7, 30, 90)}
    scored = {h: results["score" if h == 7 else f"score_{h}d"] for h in (7, 30, 90)}
    assert {h: t.metrics["horizon_days"] for h, t in trained.items()} == {7: 7, 30: 30, 90: 90}
    assert len({t.version for t in trained.values()}) == 3  # one registered model, a version per training
    for h in (7, 30, 90):
        champion = registry.load_alias(settings.for_horizon(h), registry.CHAMPION)
        if trained[h].promoted:
            assert champion is not None and champion.version == trained[h].version == scored[h].model_version
        else:  # no model beats last price at this horizon: HOLD at the last price, the reason says so
            assert champion is None and scored[h].model_version == 0
    with db.connect(settings) as conn:
        published = dict(conn.execute("select horizon_days, count(*) from pokewatch.signals where as_of = %s "
                                      "group by 1", (DAY,)).fetchall())
        shown = conn.execute("select distinct horizon_days from pokewatch.latest_signals").fetchall()
        edges = {r[0] for r in conn.execute("select distinct horizon_days from pokewatch.signal_edges")}
        for h in (7, 30, 90):  # ranks only where the horizon's walk-forward ranks the universe
            proven = conn.execute("select proven from pokewatch.ranking_skill where horizon_days = %s "
                                  "order by measured_at desc limit 1", (h,)).fetchone()
            ranked, rows = conn.execute("select count(return_rank_pct), count(*) from pokewatch.signals "
                                        "where as_of = %s and horizon_days = %s", (DAY, h)).fetchone()
            assert ranked == (rows if proven and proven[0] and scored[h].model_version else 0), (h, proven, ranked)
    assert published == {h: scored[7].rows for h in (7, 30, 90)}  # every series × profile at every horizon
    assert shown == [(7,)]  # the primary horizon is the one views show
    assert {h for h, t in trained.items() if t.promoted} <= edges  # a champion's classes get their record

    again = nightly(as_of=DAY, skip_collect=True, horizons=[7, 400])
    assert "train_400d" not in again and again["score_400d"].model_version == 0
    with db.connect(settings) as conn:
        reasons = {r[0] for r in conn.execute("select distinct reason from pokewatch.signals where as_of = %s "
                                              "and horizon_days = 400", (DAY,))}
        ranked = conn.execute("select count(return_rank_pct) from pokewatch.signals where horizon_days = 400"
                              ).fetchone()[0]
    assert len(reasons) == 1 and reasons.pop().startswith(
        "no edge at 400 days: training at a 400-day horizon needs at least 814 days")
    assert ranked == 0 and again["score_400d"].rows == scored[7].rows
