"""Collect a day from a source, import history files, backfill tcgcsv archives: each day lands all or nothing."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pokewatch import db
from pokewatch.landing import LandingResult, land_day, land_prices, last_landing
from pokewatch.settings import SOURCES, Settings
from pokewatch.sources.base import SourceError, check_day
from pokewatch.sources.files import read_price_history


@dataclass
class CollectResult:
    source: str
    as_of: dt.date
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    skipped: bool = False
    seconds: float = 0.0
    last_updated: str | None = None
    unmapped: int = 0  # cards the source priced that could not be tied to a TCGplayer product id
    note: str = ""


def collect(
    settings: Settings,
    as_of: dt.date | None,
    source: str = "tcgcsv",
    base_url: str | None = None,
    *,
    api_key: str | None = None,
    set_ids: list | None = None,
    product_ids: list[int] | None = None,
) -> CollectResult:
    """Fetch the day `source` serves and land it in ONE transaction (nothing lands if any part fails).

    The day is the source's own (tcgcsv: its /last-updated.txt; the keyed APIs: the date their prices carry);
    `as_of` None takes it, another day is refused (NotPublishedYet / WrongDay) and nothing lands.

    tcgcsv: the whole catalogue; skipped when tcgcsv has published nothing since the last landing.
    pokemonpricetracker: the given TCGplayer `product_ids` and/or TCGplayer `set_ids` (its quota is small).
    pokemontcg: the given pokemontcg.io `set_ids` (e.g. "base1"), or every card when None.
    """
    started = time.perf_counter()
    if source == "tcgcsv":
        from pokewatch.sources.tcgcsv import collect_day

        with db.connect(settings) as conn:
            known = last_landing(conn, source)
        day = collect_day(settings, as_of, base_url, known_last_updated=known[1] if known else None)
        if day.unchanged:
            return CollectResult(
                source, day.as_of, skipped=True, seconds=time.perf_counter() - started,
                last_updated=day.last_updated,
                note=f"tcgcsv unchanged since the landing of {known[0]} (last updated {day.last_updated})",
            )
        with db.connect(settings) as conn:
            landed = land_day(conn, day)
        return _result(source, day.as_of, landed, started, last_updated=day.last_updated)
    if source == "pokemonpricetracker":
        from pokewatch.sources.pokemonpricetracker import collect_day

        if not set_ids and not product_ids:
            raise SourceError("pokemonpricetracker: name the sets or products to collect (its daily quota is small)")
        day = collect_day(settings, as_of, base_url=base_url, api_key=api_key, set_ids=set_ids, product_ids=product_ids)
        with db.connect(settings) as conn:
            landed = land_day(conn, day)
        return _result(source, day.as_of, landed, started, note=day.note)
    if source == "pokemontcg":
        from pokewatch.sources import pokemontcg

        cards = pokemontcg.fetch_cards(settings, base_url=base_url, api_key=api_key, set_ids=set_ids)
        served = pokemontcg.served_day(cards)
        pokemontcg.keep(settings, served, cards)
        with db.connect(settings) as conn:
            day, report = pokemontcg.to_landing(conn, cards, check_day(source, as_of, served, "its tcgplayer.updatedAt"))
            landed = land_day(conn, day)
            pokemontcg.land_extras(conn, report)
        return _result(source, day.as_of, landed, started, unmapped=report.unmapped, note=report.summary())
    raise SourceError(f"unknown source {source!r}; choose one of {', '.join(SOURCES)}")


def _result(source: str, as_of: dt.date, landed: LandingResult, started: float, **extra) -> CollectResult:
    return CollectResult(
        source, as_of, rows=landed.rows, inserted=landed.inserted, updated=landed.updated,
        seconds=time.perf_counter() - started, **extra,
    )


def import_history(settings: Settings, path: Path, source: str = "tcgcsv", default_category: int = 3,
                   step: Callable[[str], None] = lambda _: None) -> LandingResult:
    """Land a tcgcsv-schema price file (parquet/CSV, many days) in one transaction; rerunning changes nothing.

    Rows of the configured categories land (a file without a categoryId column is `default_category`); a file
    whose rows are all of other categories is an error naming them. Every value is checked before anything lands
    (sources/files.py), then the file's days pass the daily_prices contract `validate` runs (a critical failure
    lands nothing; rows a warning rejects go to quarantine), and the import holds the warehouse writer lock, so it
    never replaces a day a nightly run is validating or scoring. `step` hears each phase (the CLI's progress).
    """
    step(f"reading {Path(path).name}")
    from pokewatch.validation import imports  # Great Expectations loads only for a command that lands

    prices = read_price_history(Path(path), settings.categories, default_category)
    step("waiting for the warehouse writer lock")
    with db.connect(settings, autocommit=True) as lock, db.writer_lock(lock, settings.lock_timeout_seconds, "import"):
        with db.connect(settings) as conn:  # one transaction: the rows land and their quarantine moves together
            step(f"checking {len(prices):,} rows against the data contract (daily_prices)")
            checked = imports.check_frame(conn, settings, source, prices, label=Path(path).name, whole_days=False)
            step(f"landing {len(prices):,} rows (COPY)")
            landed = land_prices(conn, source, prices)
            landed.quarantined = imports.quarantine_checked(conn, source, checked)
            step("committing")
            return landed


__all__ = ["CollectResult", "collect", "import_history"]
