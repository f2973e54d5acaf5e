"""The Superset dashboard in a real browser: loaded from bi/superset/dashboard/ into Superset on loopback, rendered
by headless Debian Chromium over the demo nightly's warehouse read as pokewatch_reader, every chart draws the rows
the views hold, with no error; Superset's REST API gives a logged-in user the same rows; and a view revoked from
the reader turns its charts into errors the check sees (so Superset reads as the reader, and the check can fail).

Fixtures: tests/code/bi/conftest.py (one Superset for the module; its phases' seconds on stderr)."""

from __future__ import annotations

import httpx
import pytest

# Its first test also builds the session's demo nightly (a few minutes) when no earlier test did.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

MIX = "Signal mix per day (collector, 7 days)"
OPPORTUNITIES = "Today's opportunities per cost profile"
HIT_RATE = "Track record - hit rate per cost profile (live)"
TRACK_RECORD = "Track record - every signal class"
ALERT_KINDS = "Today's alerts by kind"
ALERTS = "Today's movers and alerts"
MAPE = "Model error (MAPE) vs the last-price baseline"
MODELS = "Model performance per version"
CHARTS = {MIX, OPPORTUNITIES, HIT_RATE, TRACK_RECORD, ALERT_KINDS, ALERTS, MAPE, MODELS}
TODAY_ALERTS = "from pokewatch.alert_feed where as_of = (select max(as_of) from pokewatch.alerts)"


def by_name(report: dict) -> dict[str, tuple[dict, dict]]:
    """Chart name -> (what its data request returned, what the page shows)."""
    return {name: (report["requests"].get(chart_id), report["charts"].get(chart_id))
            for chart_id, name in report["expected_charts"].items()}


def request_id(report: dict, name: str) -> str:
    return next(chart_id for chart_id, chart in report["expected_charts"].items() if chart == name)


def test_every_chart_draws_real_rows_without_an_error(superset, rendered):
    assert set(rendered["expected_charts"].values()) == CHARTS
    assert rendered["settled"], {n: s for n, (_, s) in by_name(rendered).items()}
    for name, (request, shown) in by_name(rendered).items():
        assert request is not None, f"{name}: the page asked for no data"
        assert request["status"] == 200 and not request["errors"], (name, request["errors"])
        assert shown is not None, f"{name}: not on the page"
        assert not shown["error"] and not shown["loading"], (name, shown)
        if name != OPPORTUNITIES:  # the demo nightly proves no BUY/SELL class: checked against the view below
            assert request["rows"] > 0 and shown["drawn"] and not shown["no_results"], f"{name}: no rows"
    # Nothing the page wanted from outside this machine but the menu's telemetry pixel, which the policy blocks.
    assert not [e for e in rendered["console_errors"] if "Content Security Policy" not in e], rendered["console_errors"]
    assert "PokeWatch: Pokémon card price signals" in rendered["page_text"]


def test_the_charts_show_what_the_views_hold_for_the_reader(superset, rendered):
    charts = by_name(rendered)
    with superset.reader() as reader:
        def one(sql):
            return reader.execute(sql).fetchone()

        days, holds = one("select count(*), sum(hold_count) from pokewatch.signal_mix_daily "
                          "where profile = 'collector' and horizon_days = 7")
        request, _ = charts[MIX]
        assert request["rows"] == days and sum(row["HOLD"] for row in request["data"]) == holds

        count, best = one("select count(*), (array_agg(card_name order by profile, horizon_days, opportunity_rank))[1] "
                          "from pokewatch.top_opportunities where opportunity_rank <= 10")
        request, shown = charts[OPPORTUNITIES]
        assert request["rows"] == count and shown["no_results"] == (count == 0), (count, shown)
        if count:
            assert best in shown["text"], (best, shown["text"][:500])

        request, _ = charts[TRACK_RECORD]
        assert request["rows"] == one("select count(*) from pokewatch.signal_track_record where price_band = 'all'")[0]
        request, _ = charts[HIT_RATE]
        assert request["rows"] == one("select count(distinct profile) from pokewatch.signal_track_record "
                                      "where kind = 'live' and price_band = 'all'")[0]

        alerts, kinds, biggest = one(f"select count(*), count(distinct kind), "
                                     f"(array_agg(card_name order by abs(change_pct) desc nulls last, card_name))[1] "
                                     f"{TODAY_ALERTS}")
        request, _ = charts[ALERT_KINDS]
        assert request["rows"] == kinds and sum(row["alerts"] for row in request["data"]) == alerts
        request, shown = charts[ALERTS]
        assert request["rows"] == alerts and biggest in shown["text"], (biggest, shown["text"][:500])

        versions, reason = one("select count(*), (array_agg(reason order by model_version desc))[1] "
                               "from pokewatch.model_performance")
        request, _ = charts[MAPE]
        assert request["rows"] == versions
        request, shown = charts[MODELS]
        assert request["rows"] == versions and reason[:30] in shown["text"].replace("\n", " "), reason


def test_the_rest_api_gives_a_logged_in_user_the_same_rows_and_names_the_reader(superset, rendered):
    with httpx.Client(base_url=superset.url, timeout=60) as api:
        login = api.post("/api/v1/security/login", json={"username": "admin", "password": superset.admin_password,
                                                           "provider": "db", "refresh": False})
        assert login.status_code == 200, login.text
        api.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        api.headers["X-CSRFToken"] = api.get("/api/v1/security/csrf_token/").json()["result"]
        api.headers["Referer"] = superset.url

        charts = api.get("/api/v1/dashboard/pokewatch/charts").json()["result"]
        assert {c["slice_name"] for c in charts} == CHARTS
        for chart in charts:
            seen = rendered["requests"][str(chart["id"])]
            # The query the dashboard sent for the chart, asked again outside the browser.
            answer = api.post("/api/v1/chart/data", json=seen["query_context"])
            assert answer.status_code == 200, (chart["slice_name"], answer.text[:500])
            assert sum(r["rowcount"] for r in answer.json()["result"]) == seen["rows"], chart["slice_name"]

        (database,) = api.get("/api/v1/database/").json()["result"]
        uri = api.get(f"/api/v1/database/{database['id']}/connection").json()["result"]["sqlalchemy_uri"]
        assert uri.startswith("postgresql://pokewatch_reader:") and superset.reader_password not in uri


def test_a_view_revoked_from_the_reader_turns_its_charts_into_errors(superset, rendered):
    """The owner still reads alert_feed; only a Superset connected as pokewatch_reader breaks, and the check sees it."""
    with superset.owner() as owner:
        owner.execute("revoke select on pokewatch.alert_feed from pokewatch_reader")
    try:
        report = superset.browse()
    finally:
        with superset.owner() as owner:
            owner.execute("grant select on pokewatch.alert_feed to pokewatch_reader")
    charts = by_name(report)
    for name in (ALERTS, ALERT_KINDS):
        request, shown = charts[name]
        assert request["errors"] and "permission denied" in " ".join(request["errors"]), (name, request)
        assert shown["error"] and not shown["loading"], (name, shown)
    for name in CHARTS - {ALERTS, ALERT_KINDS}:
        request, shown = charts[name]
        assert request["rows"] == rendered["requests"][request_id(rendered, name)]["rows"], name
        assert request["status"] == 200 and not request["errors"] and not shown["error"], name
