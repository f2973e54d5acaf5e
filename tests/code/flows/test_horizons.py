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


def test_a_nightly_at_7_and_30_days_publishes_both_with_their_own_champions(flow_settings):
    """400 days: more than the sample's history can train for, so that horizon publishes HOLD and says why."""
    from flows.nightly import nightly
    from pokewatch.settings import get_settings

    results = nightly(demo=True, horizons=[7, 30, 400])  # a run's own horizons (the demo's: 7, 30, 90)
    settings = get_settings().with_horizons([7, 30, 400])
    assert "train_400d" not in results and results["score_400d"].model_version == 0
    seven, thirty = results["train"], results["train_30d"]
    assert {seven.metrics["horizon_days"], thirty.metrics["horizon_days"]} == {7, 30}
    assert seven.version != thirty.version  # one registered model, a version per training
    for h, trained, scored in ((7, seven, results["score"]), (30, thirty, results["score_30d"])):
        horizon = settings.for_horizon(h)
        champion = registry.load_alias(horizon, registry.CHAMPION)
        if trained.promoted:
            assert champion is not None and champion.version == trained.version == scored.model_version
        else:  # no model beats last price at this horizon: HOLD at the last price, the reason says so
            assert champion is None and scored.model_version == 0
    with db.connect(settings) as conn:
        published = dict(conn.execute("select horizon_days, count(*) from pokewatch.signals where as_of = %s "
                                      "group by 1", (DAY,)).fetchall())
        reasons = dict(conn.execute("select horizon_days, min(reason) from pokewatch.signals where as_of = %s "
                                    "and model_version = 0 group by 1", (DAY,)).fetchall())
        shown = conn.execute("select distinct horizon_days from pokewatch.latest_signals").fetchall()
        edges = {r[0] for r in conn.execute("select distinct horizon_days from pokewatch.signal_edges")}
    assert published[7] == published[30] == published[400] == results["score"].rows  # every series × profile
    assert shown == [(7,)]  # the primary horizon is the one views show
    for h, reason in reasons.items():
        assert reason.startswith(f"no edge at {h} days")
    assert reasons[400].startswith("no edge at 400 days: training at a 400-day horizon needs at least 814 days")
    promoted = {h for h, t in ((7, seven), (30, thirty)) if t.promoted}
    assert promoted <= edges  # a new champion's classes get their walk-forward record at its horizon
    with db.connect(settings) as conn:  # ranks only where the horizon's walk-forward ranks the universe
        for h in (7, 30, 400):
            proven = conn.execute("select proven from pokewatch.ranking_skill where horizon_days = %s "
                                  "order by measured_at desc limit 1", (h,)).fetchone()
            ranked, rows = conn.execute("select count(return_rank_pct), count(*) from pokewatch.signals "
                                        "where as_of = %s and horizon_days = %s", (DAY, h)).fetchone()
            by_model = results[f"score_{h}d" if h != 7 else "score"].model_version != 0
            assert ranked == (rows if proven and proven[0] and by_model else 0), (h, proven, ranked)
            assert (proven is not None) == (h in promoted)
