"""The daily_prices contract on in-memory frames: a corpus of real days, each with one defect injected."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pandas as pd
import pytest

from pokewatch.settings import Settings
from pokewatch.validation import ValidationFailed, validate_price_frame

from .conftest import DAY, TODAY


def _priced(day: pd.DataFrame, previous: pd.DataFrame | None = None) -> pd.Index:
    """Rows with real low/high/market prices (no 999 placeholders), and a previous market of at least $1."""
    ok = day["market"].notna() & (day["market"] >= 1) & (day["low"] != 999.0) & (day["high"] != 999.0)
    if previous is not None:
        prev = previous.set_index(["product_id", "variant"])["market"]
        before = prev.reindex(pd.MultiIndex.from_frame(day[["product_id", "variant"]])).to_numpy()
        ok &= pd.Series(before >= 1, index=day.index)
    return day.index[ok.to_numpy()]


def negative_price(day, prev):
    rows = _priced(day)[:3]
    day.loc[rows, "market"] = -5.0
    return day, {}


def infinite_price(day, prev):
    day.loc[_priced(day)[7], "high"] = np.inf
    return day, {}


def duplicate_key(day, prev):
    return pd.concat([day, day.iloc[[100]]], ignore_index=True), {}


def null_product_id(day, prev):
    day["product_id"] = day["product_id"].astype("Int64")
    day.loc[12, "product_id"] = pd.NA
    return day, {}


def null_variant(day, prev):
    day["variant"] = day["variant"].astype(object)
    day.loc[13, "variant"] = None
    return day, {}


def text_in_price(day, prev):
    day["low"] = day["low"].astype(object)
    day.loc[20, "low"] = "N/A"
    return day, {}


def missing_column(day, prev):
    return day.drop(columns=["market"]), {}


def empty_day(day, prev):
    return day.iloc[0:0], {}


def ninety_percent_drop(day, prev):
    return day.sample(frac=0.1, random_state=1), {}


def tripled_day(day, prev):
    # the same day three times with fresh product ids (a concatenation bug): +200 % rows
    copies = [day.assign(product_id=day["product_id"] + k * 10_000_000) for k in range(3)]
    return pd.concat(copies, ignore_index=True), {}


def wrong_day(day, prev):
    # yesterday's file validated as today's run
    return prev.copy(), {}


def future_day(day, prev):
    future = TODAY + dt.timedelta(days=3)
    return day.assign(as_of=future), {"as_of": future}


def all_market_null(day, prev):
    return day.assign(market=np.nan), {}


def market_in_cents(day, prev):
    return day.assign(market=day["market"] * 100), {}


def unknown_variant(day, prev):
    day["variant"] = day["variant"].astype(object)
    row = _priced(day)[30]
    day.loc[row, "variant"] = "Shadowless Holofoil"
    return day, {"row": row}


def low_above_high(day, prev):
    row = _priced(day)[40]
    day.loc[row, "low"] = day.loc[row, "high"] + 10
    return day, {"row": row}


def absurd_jump(day, prev):
    row = _priced(day, prev)[50]
    day.loc[row, "market"] = day.loc[row, "market"] * 1000
    return day, {"row": row}


def absurd_drop(day, prev):
    row = _priced(day, prev)[60]
    before = prev.set_index(["product_id", "variant"]).loc[(day.loc[row, "product_id"], day.loc[row, "variant"]), "market"]
    if before < 60:  # needs a move of at least $50: pick the priciest series instead
        row = day.loc[_priced(day, prev), "market"].idxmax()
    day.loc[row, "market"] = 0.01
    return day, {"row": row}


CRITICAL = [
    (negative_price, "price_in_range", ["expect_column_values_to_be_between(0 <= market", "3 rows", "market -5.0"]),
    (infinite_price, "price_in_range", ["high inf"]),
    (duplicate_key, "one_row_per_key", ["expect_compound_columns_to_be_unique", "2 rows"]),
    (null_product_id, "key_not_null", ["expect_column_values_to_not_be_null(product_id)", "1 row"]),
    (null_variant, "key_not_null", ["expect_column_values_to_not_be_null(variant)"]),
    (text_in_price, "numeric_column", ["expect_column_values_to_be_in_type_list(low)", "low N/A"]),
    (missing_column, "column_present", ["expect_column_to_exist(market)", "'market' is missing"]),
    (empty_day, "row_count_in_band", ["expect_table_row_count_to_be_between", "observed 0"]),
    (ninety_percent_drop, "row_count_in_band", ["expect_table_row_count_to_be_between"]),
    (tripled_day, "row_count_in_band", ["expect_table_row_count_to_be_between"]),
    (wrong_day, "as_of_is_run_day", ["as_of in ['2025-10-26']", "as_of 2025-10-25"]),
    (future_day, "as_of_not_in_future", ["days_ahead <= 0"]),
    (all_market_null, "market_mostly_present", ["expect_column_values_to_not_be_null(market, mostly 0.9)"]),
    (market_in_cents, "market_near_low_high", ["market_band_ratio <= 10, mostly 0.99"]),
]
WARNING = [
    (unknown_variant, "variant_known", "Shadowless Holofoil"),
    (low_above_high, "low_not_above_high", "high_price"),
    (absurd_jump, "market_day_over_day_move", "market_move_factor"),
    (absurd_drop, "market_day_over_day_move", "market_move_factor"),
]


@pytest.mark.parametrize(("inject", "name", "fragments"), CRITICAL, ids=[c[0].__name__ for c in CRITICAL])
def test_critical_defect_halts_with_a_clear_message(day, full_previous, inject, name, fragments):
    frame, kwargs = inject(day, full_previous.copy())
    as_of = kwargs.get("as_of", DAY)
    with pytest.raises(ValidationFailed) as caught:
        validate_price_frame(frame, as_of, full_previous, today=TODAY)
    message = str(caught.value)
    assert message.startswith(f"daily prices for {as_of} failed critical expectation"), message
    for fragment in fragments:
        assert fragment in message, message
    assert name in {r["name"] for r in caught.value.report.critical_failures}  # the documented severity
    report = caught.value.report
    assert not report.passed
    assert name in {r["name"] for r in report.critical_failures}
    assert all(r["severity"] == "critical" for r in report.critical_failures)


@pytest.mark.parametrize(("inject", "name", "fragment"), WARNING, ids=[w[0].__name__ for w in WARNING])
def test_warning_defect_marks_only_the_bad_row_for_quarantine(day, full_previous, inject, name, fragment):
    frame, injected = inject(day, full_previous.copy())
    report = validate_price_frame(frame, DAY, full_previous, today=TODAY)
    assert report.passed
    assert report.quarantined == 1
    assert report.quarantine_reasons == {name: 1}
    assert report.quarantine_rows[name] == [injected["row"]]
    failed = [r for r in report.results if not r["success"]]
    assert [(r["name"], r["severity"]) for r in failed] == [(name, "warning")]
    assert fragment in str(failed[0]["expectation"]) + " ".join(failed[0]["sample"])
    assert "1 rows quarantined" in report.summary() and name in report.summary()


def test_no_sales_null_market_and_999_placeholders_are_not_defects(day, full_previous):
    """A null market is 'no recent sales' (2.2 % of real rows); 999.0 in low/mid/high is 'nobody offers it'."""
    rows = _priced(day)
    day.loc[rows[:50], "market"] = np.nan
    day.loc[rows[50:60], "low"] = 999.0  # above high: would be low > high if 999 were a price
    day.loc[rows[60:70], ["mid", "high"]] = 999.0
    report = validate_price_frame(day, DAY, full_previous, today=TODAY)
    assert report.passed and report.quarantined == 0
    assert not report.failures


def test_severity_is_configurable_by_argument_and_settings(day, full_previous, monkeypatch, tmp_path):
    frame, _ = unknown_variant(day, full_previous)
    with pytest.raises(ValidationFailed, match="Shadowless Holofoil"):
        validate_price_frame(frame, DAY, full_previous, today=TODAY, severities={"variant_known": "critical"})
    monkeypatch.setenv("POKEWATCH_VALIDATION_SEVERITY", "variant_known=info")
    settings = Settings(home=tmp_path)  # the environment is read once, by Settings
    assert settings.validation_severity == {"variant_known": "info"}
    report = validate_price_frame(frame, DAY, full_previous, today=TODAY, settings=settings)
    assert report.passed and report.quarantined == 0
    assert [r["severity"] for r in report.failures] == ["info"]
    monkeypatch.setenv("POKEWATCH_VALIDATION_SEVERITY", '{"variant_known": "critical"}')
    assert Settings(home=tmp_path).validation_severity == {"variant_known": "critical"}
    monkeypatch.setenv("POKEWATCH_VALIDATION_SEVERITY", "variant_known=fatal")
    with pytest.raises(ValueError, match="critical.*warning.*info"):
        Settings(home=tmp_path)
    with pytest.raises(ValueError, match="must be one of"):
        validate_price_frame(frame, DAY, full_previous, today=TODAY, severities={"variant_known": "fatal"})


def test_report_renders_markdown_and_summary(full_day, full_previous):
    report = validate_price_frame(full_day, DAY, full_previous, today=TODAY)
    text = report.markdown()
    assert "| expectation | severity | result | observed |" in text
    assert "expect_compound_columns_to_be_unique(product_id, variant, as_of)" in text
    assert len([line for line in text.splitlines() if line.startswith("| `")]) == len(report.results)
    assert report.summary().startswith(f"daily prices for {DAY}: {len(full_day):,} rows")


def test_every_real_day_passes_untouched(history):
    """All 36 real tcgcsv days pass, each against the day before: nothing critical, nothing quarantined."""
    started = time.perf_counter()
    days = sorted(history["as_of"].unique())
    assert len(days) == 36
    by_day = {d: frame for d, frame in history.groupby("as_of")}
    previous = None
    for d in days:
        report = validate_price_frame(by_day[d], d, previous, today=TODAY)
        assert report.passed, report.summary()
        assert report.quarantined == 0 and not report.failures, [r for r in report.failures]
        previous = by_day[d]
    # ~11 s on an idle 2-core machine; the bound only guards against a pathological slowdown under load
    assert time.perf_counter() - started < 90


def test_several_days_in_one_frame(small_history):
    """A history file is checked in one pass: run days first..last, each price against the median of the series'
    last days before it (issue 17: one junk day is judged against the level around it)."""
    days = sorted(small_history["as_of"].unique())
    report = validate_price_frame(small_history, days[-1], first_day=days[0], today=TODAY)
    assert report.passed and report.quarantined == 0
    jumped = small_history.copy()
    row = jumped.index[(jumped["as_of"] == days[10]) & (jumped["market"] >= 1)][0]
    jumped.loc[row, "market"] *= 1000
    report = validate_price_frame(jumped, days[-1], first_day=days[0], today=TODAY)
    # the jump only: the good price the next day is judged against the recent median, not against the jump
    assert report.quarantine_rows["market_day_over_day_move"] == [row]


def test_importing_validation_does_not_import_great_expectations():
    import subprocess
    import sys

    code = "import sys, pokewatch.validation; print('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
