"""Bad data: every kind of defect is caught with its documented severity and message (docs/validation.md);
"no price" values (zero, NaN market, 999 placeholders) never become BUY/SELL; a critical defect stops the day
before anything downstream changes; hostile text is stored literally."""

from __future__ import annotations

import datetime as dt
import uuid

import numpy as np
import pandas as pd
import pytest

from pokewatch import db, landing, scoring
from pokewatch.signals import SignalRule
from pokewatch.sources.base import DayLanding
from pokewatch.validation import ValidationFailed, validate_price_frame, validate_prices
from tests.data.validation.conftest import DAY, TODAY
from tests.data.validation.test_price_contract import WARNING, _priced
from tests.support.warehouse import ZERO_COSTS

from .conftest import snapshot

INJECTION = "Robert'); drop table pokewatch.signals;--"
UNICODE = "Pokémon ☆ 漢字 — ñ 🃏"


def past_day(day, prev):  # a file from years ago validated as today's run
    return day.assign(as_of=dt.date(2019, 1, 1)), {}


def injection_variant(day, prev):
    day["variant"] = day["variant"].astype(object)
    row = _priced(day)[35]
    day.loc[row, "variant"] = INJECTION
    return day, {"row": row}


def unicode_variant(day, prev):
    day["variant"] = day["variant"].astype(object)
    row = _priced(day)[36]
    day.loc[row, "variant"] = UNICODE
    return day, {"row": row}


# Documented critical defects beyond the contract corpus (tests/data/validation runs those 14 with their names).
MORE_CRITICAL = [(past_day, "as_of_is_run_day", ["as_of in ['2025-10-26']", "as_of 2019-01-01"])]
MORE_WARNING = [(injection_variant, "variant_known", "drop table"), (unicode_variant, "variant_known", "漢字")]
ALL_WARNING = WARNING + MORE_WARNING


@pytest.mark.parametrize(("inject", "name", "fragments"), MORE_CRITICAL, ids=[c[0].__name__ for c in MORE_CRITICAL])
def test_critical_defect_is_named_with_severity_critical(day, full_previous, inject, name, fragments):
    frame, kwargs = inject(day, full_previous.copy())
    with pytest.raises(ValidationFailed) as caught:
        validate_price_frame(frame, kwargs.get("as_of", DAY), full_previous, today=TODAY)
    assert all(f in str(caught.value) for f in fragments), str(caught.value)
    assert name in {r["name"] for r in caught.value.report.critical_failures}


@pytest.mark.parametrize(("inject", "name", "fragment"), ALL_WARNING, ids=[w[0].__name__ for w in ALL_WARNING])
def test_warning_defect_quarantines_only_its_row(day, full_previous, inject, name, fragment):
    frame, injected = inject(day, full_previous.copy())
    report = validate_price_frame(frame, DAY, full_previous, today=TODAY)
    assert report.passed and report.quarantine_rows == {name: [injected["row"]]}
    failed = [r for r in report.results if not r["success"]]
    assert [(r["name"], r["severity"]) for r in failed] == [(name, "warning")]
    assert fragment in str(failed[0]["expectation"]) + " ".join(failed[0]["sample"])


def zero_prices(day, prev):
    rows = _priced(day)[:20]
    day.loc[rows, ["low", "mid", "market"]] = 0.0
    return day


def nan_market(day, prev):
    day.loc[_priced(day)[:40], "market"] = np.nan
    return day


def placeholders_999(day, prev):
    rows = _priced(day)
    day.loc[rows[:10], "low"] = 999.0
    day.loc[rows[10:20], ["mid", "high"]] = 999.0
    return day


def extra_columns(day, prev):
    return day.assign(note="from a newer feed", currency="USD")


@pytest.mark.parametrize("inject", [zero_prices, nan_market, placeholders_999, extra_columns],
                         ids=lambda f: f.__name__)
def test_no_price_values_and_extra_columns_are_not_defects(day, full_previous, inject):
    """Documented: zero, a null market and 999 placeholders mean "no price"; columns beyond the schema are ignored."""
    report = validate_price_frame(inject(day, full_previous.copy()), DAY, full_previous, today=TODAY)
    assert report.passed and report.quarantined == 0 and not report.failures


def _signals(conn, day):
    return conn.execute(
        "select product_id, variant, signal, profile from pokewatch.signals where as_of = %s", (day,)).fetchall()


def test_no_price_rows_never_become_buy_or_sell(trained_settings):
    """Series that were BUY/SELL get a zero market, a null market or 999 listings; re-scored, none is BUY/SELL."""
    s = trained_settings
    with db.connect(s) as conn:
        before = {(p, v, profile): sig for p, v, sig, profile in _signals(conn, DAY)}
        active = list({(r[0], r[1]): r for r in _signals(conn, DAY) if r[2] != "HOLD"}.values())  # one a series
        assert len(active) >= 3, "the demo day needs BUY/SELL series to damage"
        k = min(3, len(active) // 3)
        zero, null, placeholder = active[0:k], active[k:2 * k], active[2 * k:3 * k]
        for rows, assignment in ((zero, "market = 0, low = 0, mid = 0"), (null, "market = null"),
                                 (placeholder, "market = null, low = 999, mid = 999, high = 999")):
            for pid, variant, _, _ in rows:
                conn.execute(f"update pokewatch.prices set {assignment} where as_of = %s and product_id = %s "
                             "and variant = %s", (DAY, pid, variant))
    scoring.score(s, scoring.request(s, DAY, uuid.uuid4(), SignalRule.from_settings(s, **ZERO_COSTS)))
    with db.connect(s) as conn:
        now = {(p, v, profile): sig for p, v, sig, profile in _signals(conn, DAY)}
    damaged = {(pid, variant) for pid, variant, _, _ in zero + null + placeholder}
    for (pid, variant, profile), sig in now.items():
        if (pid, variant) in damaged:
            assert sig == "HOLD", (pid, variant, profile)  # (a series without a price today has no row at all)
        else:  # every other series is decided as before: the scorer works, only the damaged rows changed
            assert sig == before[(pid, variant, profile)], (pid, variant, profile)


CRITICAL_SQL = {
    "negative_market": "update pokewatch.prices set market = -5 where as_of = %(day)s and product_id in "
                       "(select product_id from pokewatch.prices where as_of = %(day)s order by 1 limit 3)",
    "ninety_percent_drop": "delete from pokewatch.prices where as_of = %(day)s and product_id % 10 <> 0",
    "market_in_cents": "update pokewatch.prices set market = market * 100 where as_of = %(day)s",
    "empty_day": "delete from pokewatch.prices where as_of = %(day)s",
    # issue 17: a poisoned day that used to pass (each series' move was under the $50 per-series threshold)
    "one_set_times_100": "update pokewatch.prices set market = market * 100, low = low * 100, mid = mid * 100, "
                         "high = high * 100 where as_of = %(day)s and set_id = 23237",
}
# issue 17: warnings that would quarantine a large share of the day: the feed changed, the run stops
FEED_CHANGES = {
    "every_variant_renamed": "update pokewatch.prices set variant = 'Variant ' || variant where as_of = %(day)s",
    "reverse_holofoil_renamed": "update pokewatch.prices set variant = 'Reverse Holo' where as_of = %(day)s "
                                "and variant = 'Reverse Holofoil'",
}


@pytest.mark.parametrize("defect", sorted(CRITICAL_SQL))
def test_a_critical_defect_in_the_warehouse_stops_before_anything_changes(trained_settings, defect):
    s = trained_settings
    with db.connect(s) as conn:
        conn.execute(CRITICAL_SQL[defect].replace("%(day)s", "%(day)s").replace(" % 10", " %% 10"), {"day": DAY})
    before = snapshot(s)
    with pytest.raises(ValidationFailed, match="failed critical expectation"):
        validate_prices(s, DAY, today=TODAY, build_docs=False)
    assert snapshot(s) == before  # prices, quarantine and signals untouched: no BUY/SELL from this day


def test_one_set_poisoned_on_the_day_is_named_critical(trained_settings):
    with db.connect(trained_settings) as conn:
        conn.execute(CRITICAL_SQL["one_set_times_100"], {"day": DAY})
    with pytest.raises(ValidationFailed, match=r"failed critical expectation .*\(set_move_factor <= 3\)") as caught:
        validate_prices(trained_settings, DAY, today=TODAY, build_docs=False)
    assert "set_id 23237" in str(caught.value)  # the sample names the set


@pytest.mark.parametrize("change", sorted(FEED_CHANGES))
def test_a_day_whose_warnings_would_quarantine_a_large_share_stops_before_anything_moves(trained_settings, change):
    s = trained_settings
    with db.connect(s) as conn:
        conn.execute(FEED_CHANGES[change], {"day": DAY})
    before = snapshot(s)
    with pytest.raises(ValidationFailed, match=r"variant_known.*would quarantine [\d,]+ of [\d,]+ rows .* the feed "
                                               "changed; nothing was quarantined or published"):
        validate_prices(s, DAY, today=TODAY, build_docs=False)
    assert snapshot(s) == before  # nothing quarantined, no signal replaced


def test_injection_and_unicode_text_is_stored_literally_and_read_back(demo_settings):
    s = demo_settings
    names = {9_000_001: INJECTION, 9_000_002: UNICODE, 9_000_003: "Tab\tNew\nline \"quoted\", comma \\ back"}
    cards = pd.DataFrame([{"product_id": pid, "set_id": 604, "name": name, "clean_name": name, "number": "1/1",
                           "rarity": name, "card_type": None} for pid, name in names.items()])
    sets = pd.DataFrame([{"set_id": 604, "name": "Base Set"}])
    prices = pd.DataFrame([{"product_id": pid, "variant": "Normal", "set_id": 604, "low": 1.0, "mid": 2.0,
                            "high": 3.0, "market": 2.0, "direct_low": None} for pid in names])
    with db.connect(s) as conn:
        landing.land_day(conn, DayLanding("tcgcsv", dt.date(2025, 10, 27), prices, sets=sets, cards=cards))
    with db.connect(s) as conn:
        back = dict(conn.execute("select product_id, name from pokewatch.cards where product_id = any(%s)",
                                 (list(names),)).fetchall())
        rarity = dict(conn.execute("select product_id, rarity from pokewatch.cards where product_id = any(%s)",
                                   (list(names),)).fetchall())
        assert conn.execute("select to_regclass('pokewatch.signals') is not null").fetchone()[0]
    assert back == names and rarity == names
