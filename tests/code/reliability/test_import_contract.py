"""Import has a data contract at the edge: ids that fit, finite sane prices, real days, a variant; a bad file lands
nothing, says which row and column in one line, and a rare old day makes one partition, not a decade of them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pokewatch import db
from pokewatch.collect import import_history
from pokewatch.partitions import partitions
from pokewatch.sources.base import SourceError
from pokewatch.validation.report import ValidationFailed
from tests.code.reliability.conftest import cli_env, run_cli, snapshot

JAPANESE_DAY = "data/tcgcsv_japan/tcgcsv_prices_cat85_pokemon_japan_2025-09-21.parquet"

CASES = {  # name: (change to row 3 of a real file, what the one line must say)
    "id overflows int64": (lambda d: d.assign(productId=d["productId"].astype("uint64").where(
        d.index != 3, np.uint64(2**63))), "column 'productId': 9223372036854775808 is not an id in 1..2,147,483,647"),
    "id beyond 2^53": (lambda d: d.assign(productId=d["productId"].where(d.index != 3, 2**53 + 1)),
                       "column 'productId': 9007199254740993 is not an id"),
    "fractional id": (lambda d: d.assign(productId=d["productId"].astype(float).where(d.index != 3, 632848.7)),
                      "column 'productId': 632848.7 is not a whole number"),
    "negative id": (lambda d: d.assign(productId=d["productId"].where(d.index != 3, -632848)),
                    "column 'productId': -632848 is not an id"),
    "negative price": (lambda d: d.assign(marketPrice=d["marketPrice"].where(d.index != 3, -5.0)),
                       "column 'marketPrice': -5.0 is a negative price"),
    "infinite price": (lambda d: d.assign(lowPrice=d["lowPrice"].where(d.index != 3, -np.inf)),
                       "column 'lowPrice': -inf is not a finite price"),
    "absurd price": (lambda d: d.assign(highPrice=d["highPrice"].where(d.index != 3, 1e308)),
                     "column 'highPrice': 1e+308 is above the price ceiling $1,000,000"),
    "day in 1900": (lambda d: d.assign(date=d["date"].where(d.index != 3, "1900-01-01")),
                    "column 'date': '1900-01-01' is outside 2010-01-01.."),
    "day in 2030": (lambda d: d.assign(date=d["date"].where(d.index != 3, "2030-06-01")),
                    "column 'date': '2030-06-01' is outside 2010-01-01.."),
    "null variant": (lambda d: d.assign(subTypeName=d["subTypeName"].where(d.index != 3, None)),
                     "column 'subTypeName': nan is empty"),
    "NUL byte": (lambda d: d.assign(subTypeName=d["subTypeName"].where(d.index != 3, "Normal\x00")),
                 "column 'subTypeName': 'Normal\\x00' holds a NUL byte"),
}


@pytest.fixture(scope="module")
def real_rows(shared_dir) -> pd.DataFrame:
    return pd.read_parquet(shared_dir / JAPANESE_DAY).head(200)


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_value_lands_nothing_and_names_row_and_column(demo_settings, real_rows, tmp_path, case):
    change, says = CASES[case]
    path = tmp_path / "bad.parquet"
    change(real_rows.copy()).to_parquet(path)
    before = snapshot(demo_settings)
    with pytest.raises(SourceError) as caught:
        import_history(demo_settings, path)
    message = str(caught.value)
    assert message.startswith(f"{path}: row 3, {says}") and message.endswith("nothing landed"), message
    assert "\n" not in message
    assert snapshot(demo_settings) == before


def test_the_command_gives_the_line_and_exit_1_without_a_traceback(demo_settings, real_rows, tmp_path):
    path = tmp_path / "bad.csv"
    CASES["negative price"][0](real_rows.copy()).to_csv(path, index=False)
    out = run_cli("import", str(path), "--category", "85", env=cli_env(demo_settings))
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert out.returncode == 1 and len(lines) == 1 and "Traceback" not in out.stderr, out.stderr
    assert "row 3, column 'marketPrice': -5.0 is a negative price; nothing landed" in lines[0]


def test_an_old_day_beside_a_new_one_makes_only_the_partitions_it_needs(settings, conn, real_rows, tmp_path):
    old = real_rows.head(5).assign(date="2015-03-02")
    path = tmp_path / "two-days.parquet"
    pd.concat([old, real_rows]).to_parquet(path)
    before = set(partitions(conn, "prices"))
    landed = import_history(settings, path)
    assert landed.rows == len(real_rows) + 5
    with db.connect(settings) as fresh:
        added = set(partitions(fresh, "prices")) - before
    assert added <= {"prices_2015_03", "prices_2025_09"} and "prices_2015_03" in added


def test_an_import_waits_for_the_writer_lock_a_nightly_holds_and_then_gives_up_in_one_line(settings, real_rows,
                                                                                              tmp_path):
    path = tmp_path / "day.parquet"
    real_rows.to_parquet(path)
    quick = settings.model_copy(update={"lock_timeout_seconds": 1.0})
    with db.connect(settings, autocommit=True) as holder, db.writer_lock(holder, 5, "nightly"):
        with pytest.raises(RuntimeError, match="another PokeWatch run is writing to the warehouse; import waited 1 s"):
            import_history(quick, path)
        with db.connect(settings) as conn:
            assert conn.execute("select count(*) from pokewatch.prices").fetchone() == (0,)
    assert import_history(quick, path).rows == len(real_rows)  # the lock released: it lands


def _days_of(rows: pd.DataFrame, n: int) -> pd.DataFrame:
    """The real rows repeated over n consecutive days from their own day."""
    first = pd.Timestamp(rows["date"].iloc[0])
    return pd.concat([rows.assign(date=(first + pd.Timedelta(days=i)).strftime("%Y-%m-%d")) for i in range(n)],
                     ignore_index=True)


def test_an_import_runs_the_data_contract_junk_prices_are_quarantined_and_the_good_days_land(demo_settings, real_rows,
                                                                                               tmp_path):
    """Issue 17: a long history with junk prices ($0.70 on a card worth hundreds) imported without complaint.
    Each junk day is judged against the series' recent median, quarantined; the good day after it lands."""
    rows = real_rows[real_rows["marketPrice"].notna()].reset_index(drop=True)
    chase = rows["marketPrice"].idxmax()
    assert rows.loc[chase, "marketPrice"] >= 60, "needs a card worth more than the $50 move floor"
    history = _days_of(rows, 10)
    pid, variant = rows.loc[chase, ["productId", "subTypeName"]]
    card = (history["productId"] == pid) & (history["subTypeName"] == variant)
    junk_days = sorted(history["date"].unique())[4:6]  # two junk days in a row, then good days again
    history.loc[card & history["date"].isin(junk_days), "marketPrice"] = 0.70
    path = tmp_path / "chase.parquet"
    history.to_parquet(path)
    landed = import_history(demo_settings, path)
    assert landed.quarantined == 2 and landed.rows == len(history)
    with db.connect(demo_settings) as conn:
        quarantined = conn.execute(
            "select as_of::text, expectation, (row->>'market')::float8 from pokewatch.quarantine "
            "where product_id = %s and variant = %s order by 1", (int(pid), variant)).fetchall()
        kept = conn.execute("select count(*), min(market)::float8 from pokewatch.prices where product_id = %s "
                            "and variant = %s and as_of = any(%s::date[])",
                            (int(pid), variant, sorted(history["date"].unique()))).fetchone()
    assert quarantined == [(d, "market_day_over_day_move", 0.70) for d in junk_days]
    assert kept == (8, rows.loc[chase, "marketPrice"])  # the eight good days, the day after the junk included


def test_an_import_that_fails_a_critical_expectation_lands_nothing(demo_settings, real_rows, tmp_path):
    """A file without market prices is broken (critical market_mostly_present, as `validate` says of a day)."""
    history = _days_of(real_rows, 3).assign(marketPrice=None)
    path = tmp_path / "no-market.parquet"
    history.to_parquet(path)
    before = snapshot(demo_settings)
    with pytest.raises(ValidationFailed, match=r"no-market.parquet: .* failed critical expectation .*not_be_null\(market"):
        import_history(demo_settings, path)
    assert snapshot(demo_settings) == before

