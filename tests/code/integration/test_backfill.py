"""backfill() with tcgcsv's real archive of 2025-10-26, English catalogue: every category-3 row lands, once
(both catalogues: tests/code/integration/test_catalogues.py)."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from rich.console import Console

from pokewatch import db
from pokewatch.backfill import backfill, backfill_table
from pokewatch.landing import land_prices
from pokewatch.sources.archive import read_archive
from pokewatch.sources.base import SourceError
from tests.conftest import ARCHIVE_7Z

DAY = dt.date(2025, 10, 26)
ARCHIVE_ROWS = 42_871  # category 3 of prices-2025-10-26.ppmd.7z, 210 sets (counted with py7zr)
PRICED_SETS = 207  # three of the 210 members hold an empty results list


def test_backfill_from_a_folder_lands_every_row_once(english, conn, tmp_path):
    folder = tmp_path / "archives"
    folder.mkdir()
    shutil.copy(ARCHIVE_7Z, folder)
    first = backfill(english, archive_dir=folder, progress=False)
    day = first.days[0]
    print(f"backfill of the archive day: {day.rows} rows in {day.seconds:.2f} s")
    assert [(d.as_of, d.status, d.rows, d.inserted) for d in first.days] == [(DAY, "landed", ARCHIVE_ROWS, ARCHIVE_ROWS)]
    assert conn.execute("select count(*), count(distinct set_id) from pokewatch.prices").fetchone() == (ARCHIVE_ROWS, PRICED_SETS)
    assert conn.execute("select rows, sets from pokewatch.landings where as_of = %s", (DAY,)).fetchone() == (
        ARCHIVE_ROWS,
        PRICED_SETS,
    )

    again = backfill(english, archive_dir=folder, progress=False)
    assert [(d.status, d.rows) for d in again.days] == [("skipped", 0)]
    assert conn.execute("select count(*) from pokewatch.prices").fetchone()[0] == ARCHIVE_ROWS

    text = _render(backfill_table(again))
    assert "2025-10-26" in text and "skipped" in text


def test_backfill_downloads_reports_missing_days_and_resumes(english, conn, tcgcsv_mirror):
    result = backfill(english, DAY - dt.timedelta(days=1), DAY, base_url=tcgcsv_mirror.url, progress=False)
    assert [(d.as_of, d.status) for d in result.days] == [(DAY - dt.timedelta(days=1), "missing"), (DAY, "landed")]
    assert result.rows == ARCHIVE_ROWS and result.ok
    assert (english.home_dir / "raw" / "tcgcsv-archive" / "prices-2025-10-26.ppmd.7z").exists()

    again = backfill(english, DAY, DAY, base_url=tcgcsv_mirror.url, progress=False)
    assert [d.status for d in again.days] == ["skipped"]
    assert tcgcsv_mirror.hits("/archive/tcgplayer/prices-2025-10-26.ppmd.7z") == 1
    assert _render(backfill_table(result)).count("missing") == 1


def test_a_broken_archive_fails_its_day_only(english, conn, tmp_path):
    folder = tmp_path / "archives"
    folder.mkdir()
    shutil.copy(ARCHIVE_7Z, folder)
    (folder / "prices-2025-10-25.ppmd.7z").write_bytes(ARCHIVE_7Z.read_bytes()[:100_000])  # cut short
    result = backfill(english, archive_dir=folder, progress=False)
    assert [(d.as_of.isoformat(), d.status) for d in result.days] == [("2025-10-25", "failed"), ("2025-10-26", "landed")]
    assert "prices-2025-10-25.ppmd.7z" in result.days[0].error and not result.ok
    assert conn.execute("select array_agg(as_of) from pokewatch.landings").fetchone()[0] == [DAY]


def test_read_archive_keeps_only_the_category(tmp_path):
    frame = read_archive(ARCHIVE_7Z, [3])
    assert len(frame) == ARCHIVE_ROWS and set(frame["as_of"]) == {DAY}


def test_backfill_needs_a_start(english):
    with pytest.raises(SourceError, match="needs a start day"):
        backfill(english, progress=False)


def _render(table) -> str:
    console = Console(width=160, record=True)
    console.print(table)
    return console.export_text()


def test_a_backfill_day_that_fails_the_data_contract_lands_nothing(english, tmp_path):
    """Issue 17: backfill runs the contract `validate` runs: the archive day against the warehouse's recent
    prices. Here the day before was landed ×100 (a unit error upstream): the archive's day moves every set 100×."""
    folder = tmp_path / "archives"
    folder.mkdir()
    shutil.copy(ARCHIVE_7Z, folder)
    day = read_archive(ARCHIVE_7Z, [3])
    before_day = day.assign(as_of=DAY - dt.timedelta(days=1))
    for column in ("low", "mid", "high", "market", "direct_low"):
        before_day[column] = before_day[column] * 100
    with db.connect(english) as conn:
        land_prices(conn, "tcgcsv", before_day)
    result = backfill(english, archive_dir=folder, progress=False)
    assert [(d.as_of, d.status) for d in result.days] == [(DAY, "failed")]
    assert "set_move_factor" in result.days[0].error and "\n" not in result.days[0].error
    with db.connect(english) as conn:
        assert conn.execute("select array_agg(as_of) from pokewatch.landings").fetchone()[0] == [DAY - dt.timedelta(days=1)]
        assert conn.execute("select count(*) from pokewatch.prices where as_of = %s", (DAY,)).fetchone()[0] == 0
