"""The nightly flow end to end on real data, through a real Prefect API, real MLflow, GX and PostgreSQL."""

import datetime as dt

import pytest

from pokewatch import db
from pokewatch.settings import get_settings

DAY = dt.date(2025, 10, 26)


def latest(conn):
    return conn.execute(
        "select signal, count(*), bool_and(fair_low <= fair_price and fair_price <= fair_high),"
        " min(model_version) from pokewatch.latest_signals group by signal order by signal"
    ).fetchall()


def test_demo_run_publishes_every_priced_series_of_both_catalogues_named_and_honest(demo_nightly,
                                                                                     demo_nightly_settings):
    """The demo at the product's own costs: every series priced on the day gets a signal, English and Japanese,
    named; signals come from a model only if it beat last price on held-out rows, else all HOLD "no edge".

    `demo_nightly` is `nightly(demo=True)` on a fresh database, run once per session; this reads its results and
    a copy of the warehouse it left."""
    results = demo_nightly.results
    trained, scored = results["train"], results["score"]
    with db.connect(demo_nightly_settings) as conn:
        mix = latest(conn)
        series = conn.execute(
            "select count(*) from pokewatch.prices where as_of = %s and market > 0", (DAY,)
        ).fetchone()[0]
        unpriced = conn.execute(
            "select count(*) from pokewatch.prices where as_of = %s and market is null", (DAY,)).fetchone()[0]
        run = conn.execute("select status, score_rows, train_seconds, model_version, unpriced_series "
                           "from pokewatch.runs").fetchone()
        named, languages = conn.execute(
            "select avg((card_name is not null)::int), array_agg(distinct language) from pokewatch.latest_signals"
        ).fetchone()
        reasons = conn.execute("select distinct reason from pokewatch.latest_signals").fetchall()
    assert sum(m[1] for m in mix) == series and all(m[2] for m in mix)  # latest_signals: the default profile
    assert scored.rows == series * len(demo_nightly_settings.profiles)  # a signal per series and cost profile
    assert run == ("succeeded", scored.rows, run[2], scored.model_version, unpriced) and run[2] > 0 and unpriced > 0
    assert named >= 0.9 and sorted(languages) == ["en", "ja"]
    assert trained.promoted == (trained.metrics["skill_low"] > 0)
    if not trained.promoted:  # what the real sample gives (docs/model.md): the model does not beat last price
        assert scored.model_version == 0 and [m[0] for m in mix] == ["HOLD"]
        assert reasons == [(trained.reason,)] and trained.reason.startswith("no edge at 7 days")


def test_a_negative_price_stops_the_run_at_validation_and_keeps_the_signals(demo_nightly_settings):
    """On a copy of the session's demo nightly (`nightly(demo=True)`, its signals published)."""
    from flows.nightly import nightly

    flow_settings = demo_nightly_settings
    with db.connect(flow_settings) as conn:
        before = conn.execute("select * from pokewatch.signals order by product_id, variant").fetchall()
        conn.execute(
            "update pokewatch.prices set market = -5 where as_of = %s and product_id ="
            " (select min(product_id) from pokewatch.prices where as_of = %s)", (DAY, DAY)
        )
    with pytest.raises(Exception, match="market"):
        nightly(as_of=DAY, skip_collect=True)
    with db.connect(flow_settings) as conn:
        after = conn.execute("select * from pokewatch.signals order by product_id, variant").fetchall()
        failed = conn.execute(
            "select status, error from pokewatch.runs order by started_at desc limit 1"
        ).fetchone()
    assert after == before
    assert failed[0] == "failed" and "market" in failed[1]


def test_the_source_reaches_every_stage(flow_settings):
    """Prices landed only under `pokemontcg`: the nightly for that source validates, trains and scores them (and
    for the default source, with no prices of its own, validation finds an empty day)."""
    from flows.nightly import nightly
    from pokewatch import demo, landing
    from pokewatch.sources.files import read_price_history

    with db.connect(flow_settings) as conn:
        landing.land_prices(conn, "pokemontcg", read_price_history(demo.SAMPLE_PRICES))
    with pytest.raises(Exception, match="row_count.*observed 0"):
        nightly(as_of=DAY, skip_collect=True)  # tcgcsv: nothing landed
    results = nightly(as_of=DAY, skip_collect=True, source="pokemontcg")
    with db.connect(flow_settings) as conn:
        landed = conn.execute("select count(*) from pokewatch.landed_prices where source = 'pokemontcg' "
                              "and as_of = %s and market > 0", (DAY,)).fetchone()[0]
        runs = conn.execute("select status from pokewatch.runs order by started_at").fetchall()
    assert results["validate"].rows > 0 and results["train"].rows > 0
    assert results["score"].rows == landed * len(flow_settings.profiles)
    assert runs == [("failed",), ("succeeded",)]


def test_a_day_the_source_has_not_published_is_retried_then_skipped_and_nothing_lands(flow_settings, monkeypatch,
                                                                                    small_tcgcsv_mirror):
    """tcgcsv still serves 2025-10-26 when the run for 2025-10-27 starts: the collect task retries (here once, at
    once), then the run ends in a Completed state named Skipped, recorded in pokewatch.runs; no day is relabelled."""
    from flows.nightly import nightly

    monkeypatch.setenv("POKEWATCH_TCGCSV_BASE_URL", small_tcgcsv_mirror.url)
    monkeypatch.setenv("POKEWATCH_SOURCE_RETRIES", "1")
    monkeypatch.setenv("POKEWATCH_SOURCE_RETRY_DELAY_SECONDS", "0")
    get_settings.cache_clear()
    state = nightly(as_of=DAY + dt.timedelta(days=1), return_state=True)
    assert state.is_completed() and state.name == "Skipped"
    assert "tcgcsv has not published 2025-10-27 yet: it serves 2025-10-26" in state.message
    assert small_tcgcsv_mirror.hits("/last-updated.txt") == 2  # first try and one retry
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:  # named by its day in the Prefect UI
        assert client.read_flow_run(state.state_details.flow_run_id).name == "nightly 2025-10-27"
    with db.connect(flow_settings) as conn:
        assert conn.execute("select count(*) from pokewatch.prices").fetchone() == (0,)
        run = conn.execute("select as_of, status, error from pokewatch.runs").fetchall()
    assert len(run) == 1 and run[0][:2] == (DAY + dt.timedelta(days=1), "skipped")
    assert "has not published" in run[0][2]
