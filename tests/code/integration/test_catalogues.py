"""Both catalogues (TCGplayer category 3, English, and 85, Japanese), each price on the day its source gives."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from pokewatch.backfill import backfill
from pokewatch.collect import collect, import_history
from pokewatch.sources.base import NotPublishedYet, SourceError, WrongDay
from tests.conftest import ARCHIVE_7Z, SHARED

DAY = dt.date(2025, 10, 26)
JAPANESE_DAY_FILE = SHARED / "data/tcgcsv_japan/tcgcsv_prices_cat85_pokemon_japan_2025-09-21.parquet"
ENGLISH_ROWS, JAPANESE_ROWS = 42_871, 21_973  # tcgcsv's publish of 2025-10-26, categories 3 and 85


def landings(conn) -> list[tuple]:
    return conn.execute("select as_of, category_id, rows from pokewatch.landings order by as_of, category_id").fetchall()


def test_collect_lands_both_catalogues_on_the_day_the_source_serves(settings, conn, tcgcsv_mirror):
    result = collect(settings, None, base_url=tcgcsv_mirror.url)  # no day asked: the source's
    assert result.as_of == DAY and result.rows == ENGLISH_ROWS + JAPANESE_ROWS
    assert landings(conn) == [(DAY, 3, ENGLISH_ROWS), (DAY, 85, JAPANESE_ROWS)]
    sets = dict(conn.execute("select category_id, count(*) from pokewatch.sets where set_id in "
                             "(select distinct set_id from pokewatch.prices) group by category_id").fetchall())
    assert sets[3] == 207 and sets[85] > 100  # sets with prices (three English sets publish an empty list)
    assert conn.execute("select code from pokewatch.sets where set_id = 23599").fetchone() == ("SV2a",)


@pytest.mark.parametrize(("asked", "error", "says"), [
    (dt.date(2025, 10, 1), WrongDay, "tcgcsv serves 2025-10-26 (last updated 2025-10-26T20:05:38+0000), not 2025-10-01"),
    (dt.date(2025, 10, 27), NotPublishedYet, "tcgcsv has not published 2025-10-27 yet: it serves 2025-10-26"),
])
def test_asking_a_live_source_for_another_day_is_refused_and_lands_nothing(settings, conn, small_tcgcsv_mirror,
                                                                            asked, error, says):
    with pytest.raises(error) as caught:
        collect(settings, asked, base_url=small_tcgcsv_mirror.url)
    assert says in str(caught.value) and "nothing landed" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert conn.execute("select count(*) from pokewatch.prices").fetchone() == (0,)
    assert small_tcgcsv_mirror.hits("/tcgplayer/3/groups") == 0  # refused before any set was fetched


def test_a_japanese_file_lands_and_a_file_of_other_categories_is_refused(settings, conn):
    landed = import_history(settings, JAPANESE_DAY_FILE)
    assert landed.rows == 20_833
    assert landings(conn) == [(dt.date(2025, 9, 21), 85, 20_833)]
    english_only = settings.model_copy(update={"categories": [3]})
    with pytest.raises(SourceError, match=r"no rows of category 3 .* the file holds category 85"):
        import_history(english_only, JAPANESE_DAY_FILE)


def test_backfill_lands_the_categories_a_day_lacks_under_the_archive_s_own_date(settings, conn, tmp_path):
    folder = tmp_path / "archives"
    folder.mkdir()
    shutil.copy(ARCHIVE_7Z, folder / ARCHIVE_7Z.name)
    first = backfill(settings.model_copy(update={"categories": [3]}), archive_dir=folder, progress=False)
    assert first.rows == ENGLISH_ROWS and landings(conn) == [(DAY, 3, ENGLISH_ROWS)]
    second = backfill(settings, archive_dir=folder, progress=False)  # 85 is missing for the day: only it lands
    assert second.rows == JAPANESE_ROWS
    assert landings(conn) == [(DAY, 3, ENGLISH_ROWS), (DAY, 85, JAPANESE_ROWS)]
    assert backfill(settings, archive_dir=folder, progress=False).count("skipped") == 1
    # an archive named for another day than its members hold is refused, not relabelled
    shutil.copy(ARCHIVE_7Z, folder / "prices-2025-10-25.ppmd.7z")
    wrong = backfill(settings, archive_dir=folder, progress=False)
    failed = [d for d in wrong.days if d.status == "failed"]
    assert [d.as_of for d in failed] == [dt.date(2025, 10, 25)]
    assert "holds prices of 2025-10-26, not 2025-10-25: nothing landed" in failed[0].error
    assert conn.execute("select count(*) from pokewatch.prices where as_of = '2025-10-25'").fetchone() == (0,)
