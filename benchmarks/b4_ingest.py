"""B4 ingest: land one full day (~43k rows) and land it again (idempotent); import the 1.54 M-row history."""

from __future__ import annotations

from benchmarks.common import HISTORY, REPEATS, median, scratch_database, settings_for, table, timed
from benchmarks.floors import plain_copy
from pokewatch import db, schema
from pokewatch.collect import import_history
from pokewatch.landing import land_prices
from pokewatch.landing_schema import PRICE_COLUMNS
from pokewatch.sources.files import read_price_history


def run() -> tuple[str, dict]:
    history = read_price_history(HISTORY)
    last = history["as_of"].max()
    day, before = history[history["as_of"] == last], history[history["as_of"] < last]
    land, reland, imports, floors = [], [], [], []
    with scratch_database() as name:
        settings = settings_for(name)
        schema.migrate(settings)
        with db.connect(settings) as conn:
            land_prices(conn, "tcgcsv", before)
        for _ in range(REPEATS):
            with db.connect(settings) as conn:
                conn.execute("delete from pokewatch.prices where as_of = %s", (last,))
                conn.execute("delete from pokewatch.landings where as_of = %s", (last,))
            seconds, _ = timed(lambda: _land(settings, day))
            land.append(seconds)
            seconds, result = timed(lambda: _land(settings, day))
            assert result.inserted == result.updated == 0, "re-landing must change nothing"
            reland.append(seconds)
    for _ in range(REPEATS):
        with scratch_database() as name:
            settings = settings_for(name)
            schema.migrate(settings)
            imports.append(timed(lambda: import_history(settings, HISTORY))[0])
            floors.append(plain_copy(settings, history.assign(source="tcgcsv"), "pokewatch.prices",
                                     ["source", "as_of", *PRICE_COLUMNS]))
    n_day, n_all = len(day), len(history)
    rows = [
        ["land one day (new)", n_day, median(land), n_day / median(land), "≤ 2 s", "met" if median(land) <= 2 else "MISSED"],
        ["re-land the same day", n_day, median(reland), n_day / median(reland), "≤ 2 s",
         "met" if median(reland) <= 2 else "MISSED"],
        ["import 36-day history", n_all, median(imports), n_all / median(imports), "rows/s", ""],
        ["plain COPY, unindexed table", n_all, median(floors), n_all / median(floors), "floor", ""],
    ]
    ratio = median(floors) / median(imports)
    text = table(["B4 ingest", "rows", "seconds (median)", "rows/s", "target", ""], rows)
    text += f"\n\nImport runs at {ratio:.2f}× the rows/s of a plain COPY into an unindexed table (same rows, same run)."
    return text, {"land_seconds": median(land), "reland_seconds": median(reland), "import_rows_per_s": n_all / median(imports)}


def _land(settings, day):
    with db.connect(settings) as conn:
        return land_prices(conn, "tcgcsv", day)
