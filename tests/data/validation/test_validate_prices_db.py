"""validate_prices against a real warehouse: critical halts change nothing, warnings move rows to quarantine."""

from __future__ import annotations

import uuid
from pathlib import Path

import pandas as pd
import pytest

from pokewatch import db
from pokewatch.landing import land_prices
from pokewatch.settings import PROJECT_DIR
from pokewatch.validation import ValidationFailed, build_data_docs, gx_runner, validate_prices

from .conftest import DAY, PREVIOUS_DAY, TODAY

SIGNALS = """
insert into pokewatch.signals (product_id, variant, as_of, model_version, market_price, fair_price, fair_low,
                               fair_high, deviation_pct, signal, confidence, reason, run_id, horizon_days, profile)
values (%s, %s, %s, 1, 10.00, 12.00, 11.00, 13.00, -16.7, 'BUY', 0.8, 'below fair band', %s, 7, 'collector')
"""


def _land(settings, frame: pd.DataFrame) -> None:
    with db.connect(settings) as conn:
        land_prices(conn, "tcgcsv", frame)


def _snapshot(settings) -> dict[str, list]:
    with db.connect(settings) as conn:
        return {
            "signals": conn.execute("select * from pokewatch.signals order by product_id").fetchall(),
            "prices": conn.execute(
                "select product_id, variant, as_of, low, mid, high, market from pokewatch.prices "
                "order by as_of, product_id, variant"
            ).fetchall(),
            "quarantine": conn.execute("select * from pokewatch.quarantine").fetchall(),
        }


@pytest.fixture
def warehouse(settings, small_history):
    """The previous real day landed, and a couple of published signals for the day before."""
    previous = small_history[small_history["as_of"] == PREVIOUS_DAY]
    _land(settings, previous)
    with db.connect(settings) as conn:
        for _, row in previous.head(2).iterrows():
            conn.execute(SIGNALS, (int(row["product_id"]), row["variant"], PREVIOUS_DAY, uuid.uuid4()))
    return settings


@pytest.fixture
def today(small_history) -> pd.DataFrame:
    return small_history[small_history["as_of"] == DAY].reset_index(drop=True).copy()


def _priced_with_history(today: pd.DataFrame, previous: pd.DataFrame) -> list[int]:
    prev = previous.set_index(["product_id", "variant"])["market"]
    before = prev.reindex(pd.MultiIndex.from_frame(today[["product_id", "variant"]])).to_numpy()
    ok = (today["market"] >= 1) & (before >= 1) & (today["low"] != 999.0) & (today["high"] != 999.0)
    return list(today.index[ok.to_numpy()])


def test_a_real_day_passes_and_builds_data_docs(warehouse, today):
    _land(warehouse, today)
    before = _snapshot(warehouse)
    report = validate_prices(warehouse, DAY, run_id=uuid.uuid4(), today=TODAY)
    assert report.passed and report.quarantined == 0 and report.rows == len(today)
    assert _snapshot(warehouse) == before
    assert report.data_docs_path and Path(report.data_docs_path).is_file()
    # the link is the day's result page in the site under HOME/data_docs, whose index lists it
    assert warehouse.home_dir / "data_docs" in Path(report.data_docs_path).parents
    assert "daily_prices" in Path(report.data_docs_path).read_text()
    assert (warehouse.home_dir / "data_docs" / "index.html").is_file()
    assert not (PROJECT_DIR / "expectations" / "gx" / "checkpoints").exists()  # nothing written beside the suites
    assert build_data_docs(warehouse) == warehouse.home_dir / "data_docs" / "index.html"
    # the next night's process reopens the existing GX file context in HOME/gx
    gx_runner.forget(warehouse.home_dir)
    again = validate_prices(warehouse, DAY, run_id=uuid.uuid4(), today=TODAY)
    assert again.passed and Path(again.data_docs_path).is_file()
    _assert_readable_offline(warehouse.home_dir / "data_docs", Path(again.data_docs_path))


def _assert_readable_offline(site: Path, page: Path) -> None:
    """Issue 18: GX's index was empty offline (drawn by CDN scripts) and every page fetched GX's logo; severity and
    why were not shown. The site makes no outside request; PokeWatch's static index links each result page and
    shows every expectation's severity and why."""
    import re

    # what a browser fetches by itself (a plain link is fetched only when followed)
    loads = re.compile(r"""src\s*=\s*["']https?://|<link[^>]*href\s*=\s*["']https?://|url\(\s*["']?https?://""", re.I)
    for path in [*site.rglob("*.html"), *site.rglob("*.css")]:
        assert not loads.search(path.read_text()), f"{path.relative_to(site)} loads from outside"
    index = (site / "index.html").read_text()
    assert "<script" not in index
    assert f"href='{page.relative_to(site).as_posix()}'" in index  # the newest result page, linked
    assert ">daily_prices</td>" in index  # the data asset by name (GX's page says "Data asset: None")
    assert "class='critical'>critical</td>" in index and "class='warning'>warning</td>" in index
    assert "a missing column means the feed or the parser changed" in index  # meta.why of column_present
    # GX's own result page names its asset and shows each expectation's severity, why and outcome
    text = page.read_text()
    assert "Data asset: None" not in text and '<span class="h6">Data asset:</span> daily_prices<br>' in text
    assert "<td>column_present</td><td>as_of</td><td>expect_column_to_exist</td><td class='critical'>critical</td>" \
        "<td>the landing schema; a missing column means the feed or the parser changed</td>" \
        "<td class='passed'>passed</td>" in text
    assert text.count('id="pokewatch-severity"') == 1
    # the "Expectation Suite: daily_prices" link leads to the suite's page, and no breadcrumb says __none__
    (suite_link,) = re.findall(r'Expectation Suite:</span> <a href="([^"]+)"', text)
    assert (page.parent / suite_link).resolve().is_file(), suite_link
    assert "__none__" not in text


@pytest.mark.parametrize("defect", ["negative_price", "empty_day", "ninety_percent_drop"])
def test_critical_failure_changes_nothing_downstream(warehouse, today, defect):
    if defect == "negative_price":
        today.loc[_priced_with_history(today, today)[:3], "market"] = -5.0
        _land(warehouse, today)
        expected = ["expect_column_values_to_be_between(0 <= market", "3 rows", "market -5.0"]
    elif defect == "ninety_percent_drop":
        _land(warehouse, today.sample(frac=0.1, random_state=3))
        expected = ["expect_table_row_count_to_be_between"]
    else:
        expected = ["expect_table_row_count_to_be_between(rows ", "observed 0"]
    before = _snapshot(warehouse)
    run_id = uuid.uuid4()
    with pytest.raises(ValidationFailed) as caught:
        validate_prices(warehouse, DAY, run_id=run_id, build_docs=False, today=TODAY)
    message = str(caught.value)
    assert message.startswith(f"daily prices (category 3) for {DAY} failed critical expectation"), message
    for fragment in expected:
        assert fragment in message, message
    assert caught.value.report.critical_failures
    after = _snapshot(warehouse)
    assert after["signals"] == before["signals"] and len(after["signals"]) == 2
    assert after == before  # prices untouched, nothing quarantined


def test_warning_rows_move_to_quarantine_in_one_transaction(warehouse, today, small_history):
    previous = small_history[small_history["as_of"] == PREVIOUS_DAY]
    rows = _priced_with_history(today, previous)
    jump, bad_range = rows[5], rows[9]
    today.loc[jump, "market"] = today.loc[jump, "market"] * 1000
    today.loc[bad_range, "low"] = today.loc[bad_range, "high"] + 10
    # an unknown variant: a new row for an existing product
    odd = today.loc[[rows[12]]].assign(variant="Shadowless Holofoil")
    today = pd.concat([today, odd], ignore_index=True)
    _land(warehouse, today)
    before = _snapshot(warehouse)
    run_id = uuid.uuid4()

    report = validate_prices(warehouse, DAY, run_id=run_id, build_docs=False, today=TODAY)

    assert report.passed
    assert report.quarantined == 3
    assert report.quarantine_reasons == {
        "market_day_over_day_move": 1, "low_not_above_high": 1, "variant_known": 1,
    }
    assert "3 rows quarantined" in report.summary()
    after = _snapshot(warehouse)
    assert after["signals"] == before["signals"]
    assert len(after["prices"]) == len(before["prices"]) - 3
    with db.connect(warehouse) as conn:
        kept = conn.execute(
            "select count(*) from pokewatch.prices where as_of = %s", (DAY,)
        ).fetchone()[0]
        quarantined = conn.execute(
            "select product_id, variant, expectation, run_id, source, as_of, (row->>'market')::numeric, "
            "row->>'low', quarantined_at is not null from pokewatch.quarantine order by expectation"
        ).fetchall()
    assert kept == len(today) - 3
    by_reason = {q[2]: q for q in quarantined}
    assert set(by_reason) == {"market_day_over_day_move", "low_not_above_high", "variant_known"}
    assert all(q[3] == run_id and q[4] == "tcgcsv" and q[5] == DAY and q[8] for q in quarantined)
    j = by_reason["market_day_over_day_move"]
    assert (j[0], j[1]) == (today.loc[jump, "product_id"], today.loc[jump, "variant"])
    assert float(j[6]) == pytest.approx(round(today.loc[jump, "market"], 2))
    assert by_reason["variant_known"][1] == "Shadowless Holofoil"

    # validating again finds nothing left to quarantine
    again = validate_prices(warehouse, DAY, run_id=uuid.uuid4(), build_docs=False, today=TODAY)
    assert again.passed and again.quarantined == 0
