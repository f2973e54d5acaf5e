"""Landing and importing real history: COPY, idempotent, clear errors that name the file and the field."""

import pandas as pd
import pytest

from pokewatch import db, demo
from pokewatch.landing import land_prices
from pokewatch.sources.base import SourceError
from pokewatch.sources.files import read_price_history


def counts(conn):
    return conn.execute(
        "select (select count(*) from pokewatch.prices), (select count(*) from pokewatch.landings),"
        " (select max(collected_at) from pokewatch.prices)"
    ).fetchone()


def test_loading_the_sample_twice_changes_no_row(settings, conn):
    first = demo.load_sample(settings)
    assert first.inserted == first.rows == len(pd.read_parquet(demo.SAMPLE_PRICES))
    before = counts(conn)
    second = demo.load_sample(settings)
    assert (second.inserted, second.updated) == (0, 0)
    assert counts(conn) == before
    assert before[1] == len(pd.read_parquet(demo.SAMPLE_PRICES).drop_duplicates(["categoryId", "date"]))


def test_a_changed_price_updates_only_that_row(settings, conn):
    history = read_price_history(demo.SAMPLE_PRICES)
    with db.connect(settings) as c:
        land_prices(c, "tcgcsv", history)
    changed = history.copy()
    row = changed["market"].first_valid_index()
    changed.loc[row, "market"] += 1.0
    with db.connect(settings) as c:
        result = land_prices(c, "tcgcsv", changed)
    assert (result.inserted, result.updated) == (0, 1)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda f: f.drop(columns=["marketPrice"]), "missing column(s) marketPrice"),
        (lambda f: f.assign(marketPrice=f["marketPrice"].astype(object).where(f.index != 3, "twelve")),
         "row 3, column 'marketPrice': 'twelve' is not a number"),
        (lambda f: f.assign(date=f["date"].where(f.index != 5, "26/10/2025")), "not a YYYY-MM-DD date"),
    ],
)
def test_a_bad_file_is_refused_with_what_and_where(tmp_path, settings, conn, mutate, message):
    raw = pd.read_parquet(demo.SAMPLE_PRICES).head(50)
    path = tmp_path / "bad.csv"
    mutate(raw).to_csv(path, index=False)
    with pytest.raises(SourceError) as caught:
        read_price_history(path)
    assert message in str(caught.value) and str(path) in str(caught.value)
    assert counts(conn)[0] == 0


def test_duplicate_keys_are_refused_and_nothing_lands(settings, conn):
    day = read_price_history(demo.SAMPLE_PRICES).head(100)
    doubled = pd.concat([day, day.tail(1)])
    with pytest.raises(SourceError, match="share a key"):
        with db.connect(settings) as c:
            land_prices(c, "tcgcsv", doubled)
    assert counts(conn)[0] == 0


def test_a_new_day_takes_the_bulk_path_and_a_known_one_the_upsert(settings, conn):
    history = read_price_history(demo.SAMPLE_PRICES)
    first_days = history[history["as_of"] < history["as_of"].max()]
    with db.connect(settings) as c:
        bulk = land_prices(c, "tcgcsv", first_days)
    with db.connect(settings) as c:
        mixed = land_prices(c, "tcgcsv", history)  # one new day among landed ones: upsert path
    assert bulk.inserted == len(first_days)
    assert mixed.inserted == len(history) - len(first_days) and mixed.updated == 0
    assert conn.execute("select count(*) from pokewatch.cards").fetchone()[0] == history["product_id"].nunique()
