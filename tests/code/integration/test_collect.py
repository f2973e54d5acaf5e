"""collect() from the loopback tcgcsv mirror into a real PostgreSQL: whole days or nothing, reruns finish the day."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pokewatch.collect import collect, import_history
from pokewatch.sources.base import SourceError
from tests.conftest import HISTORY_PARQUET

DAY = dt.date(2025, 10, 26)
FULL_DAY_ROWS = 42_871  # every category-3 row of tcgcsv's 2025-10-26 publish (210 sets)


def counts(conn) -> tuple[int, int]:
    prices = conn.execute("select count(*) from pokewatch.prices").fetchone()[0]
    landings = conn.execute("select count(*) from pokewatch.landings").fetchone()[0]
    return prices, landings


def test_full_day_lands_once_and_a_rerun_is_skipped(english, conn, tcgcsv_mirror):
    first = collect(english, DAY, base_url=tcgcsv_mirror.url)
    print(f"collect from loopback mirror: {first.rows} rows in {first.seconds:.2f} s")
    assert (first.rows, first.inserted, first.updated, first.skipped) == (FULL_DAY_ROWS, FULL_DAY_ROWS, 0, False)
    assert counts(conn) == (FULL_DAY_ROWS, 1)
    # sets tcgcsv's groups gave (the reference data init loads has no modifiedOn)
    assert conn.execute("select count(*) from pokewatch.sets where modified_on is not null").fetchone()[0] == 210
    card = conn.execute("select name, number, rarity, card_type from pokewatch.cards where product_id = 42346").fetchone()
    assert card == ("Alakazam", "001/102", "Holo Rare", "Psychic")

    second = collect(english, DAY, base_url=tcgcsv_mirror.url)
    assert second.skipped and second.rows == 0
    assert counts(conn) == (FULL_DAY_ROWS, 1)
    assert tcgcsv_mirror.hits("/tcgplayer/3/groups") == 1  # unchanged: nothing past last-updated.txt was fetched


def test_landing_the_same_day_again_changes_nothing(english, conn, small_tcgcsv_mirror):
    first = collect(english, DAY, base_url=small_tcgcsv_mirror.url)
    conn.execute("update pokewatch.landings set last_updated = 'an older publish'")
    conn.commit()
    again = collect(english, DAY, base_url=small_tcgcsv_mirror.url)
    assert not again.skipped
    assert (again.rows, again.inserted, again.updated) == (first.rows, 0, 0)
    assert counts(conn) == (first.rows, 1)


def test_failed_sets_land_nothing_and_a_rerun_fetches_only_them(fast, conn, small_tcgcsv_mirror):
    broken = ["/tcgplayer/3/1728/prices", "/tcgplayer/3/1406/products"]
    for path in broken:
        small_tcgcsv_mirror.fail(path, "status", times=None, status=503)
    with pytest.raises(SourceError) as err:
        collect(fast, DAY, base_url=small_tcgcsv_mirror.url)
    assert "2 of 4 sets failed for 2025-10-26 (sets 1406, 1728); nothing landed" in str(err.value)
    assert counts(conn) == (0, 0)
    assert conn.execute("select count(*) from pokewatch.sets where modified_on is not null").fetchone()[0] == 0

    small_tcgcsv_mirror.clear_faults()
    done = collect(fast, DAY, base_url=small_tcgcsv_mirror.url)
    assert done.rows > 0 and counts(conn) == (done.rows, 1)
    for path in broken:
        assert small_tcgcsv_mirror.hits(path) == 4  # 3 failed attempts, then once on the rerun
    assert small_tcgcsv_mirror.hits("/tcgplayer/3/604/prices") == 1  # kept from the first run, not refetched
    raw = fast.home_dir / "raw" / "tcgcsv" / "2025-10-26"
    assert (raw / "3-604-prices.json.gz").exists() and (raw / "3-1728-prices.json.gz").exists()


@pytest.mark.parametrize(
    ("path", "kind", "kw", "lands_first_time"),
    [
        ("/tcgplayer/3/23237/prices", "status", {"status": 500, "times": 1}, True),
        ("/tcgplayer/3/23237/prices", "reset", {}, True),
        ("/tcgplayer/3/23237/prices", "slow", {"seconds": 1.5}, True),
        ("/tcgplayer/3/groups", "status", {"status": 429, "headers": {"Retry-After": "0"}}, True),
        ("/tcgplayer/3/23237/prices", "truncate", {}, False),
        ("/tcgplayer/3/23237/products", "wrong_shape", {}, False),
        ("/tcgplayer/3/604/prices", "empty", {}, False),
        ("/tcgplayer/3/604/prices", "status", {"status": 404}, False),
        ("/tcgplayer/3/groups", "status", {"status": 401, "times": None}, False),
        ("/last-updated.txt", "redirect_loop", {"times": None}, False),
        ("/tcgplayer/3/groups", "status", {"status": 503, "times": None}, False),
    ],
)
def test_each_fault_leaves_the_day_whole_or_absent(fast, conn, small_tcgcsv_mirror, path, kind, kw, lands_first_time):
    small_tcgcsv_mirror.fail(path, kind, **kw)
    if lands_first_time:
        landed = collect(fast, DAY, base_url=small_tcgcsv_mirror.url)
        assert counts(conn) == (landed.rows, 1)
        return
    with pytest.raises(SourceError):
        collect(fast, DAY, base_url=small_tcgcsv_mirror.url)
    assert counts(conn) == (0, 0)
    small_tcgcsv_mirror.clear_faults()
    landed = collect(fast, DAY, base_url=small_tcgcsv_mirror.url)
    assert landed.rows > 0 and counts(conn) == (landed.rows, 1)


def test_unknown_source_is_named(english):
    with pytest.raises(SourceError, match="unknown source 'ebay'"):
        collect(english, DAY, source="ebay")


def test_import_history_lands_a_file_once(english, conn, tmp_path):
    # A real slice of the shared history: two sets over the whole 36 days, as CSV.
    frame = pd.read_parquet(HISTORY_PARQUET, filters=[("groupId", "in", [604, 23237])])
    path = tmp_path / "history.csv"
    frame.to_csv(path, index=False)
    first = import_history(english, path)
    assert first.rows == len(frame) == first.inserted and first.days == 36
    again = import_history(english, path)
    assert (again.inserted, again.updated) == (0, 0)
    assert counts(conn) == (len(frame), 36)
