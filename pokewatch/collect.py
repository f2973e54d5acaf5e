"""Collect a day from a source, import history files, backfill tcgcsv archives: each day lands all or nothing."""

from __future__ import annotations

import datetime as dt
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pokewatch import db
from pokewatch.landing import LandingResult, land_day, land_prices, last_landing
from pokewatch.settings import SOURCES, Settings
from pokewatch.sources import archive as tcgcsv_archive
from pokewatch.sources.base import SourceError
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
    as_of: dt.date,
    source: str = "tcgcsv",
    base_url: str | None = None,
    *,
    api_key: str | None = None,
    set_ids: list | None = None,
    product_ids: list[int] | None = None,
) -> CollectResult:
    """Fetch one day from `source` and land it in ONE transaction (nothing lands if any part fails).

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
                source, as_of, skipped=True, seconds=time.perf_counter() - started, last_updated=day.last_updated,
                note=f"tcgcsv unchanged since the landing of {known[0]} (last updated {day.last_updated})",
            )
        with db.connect(settings) as conn:
            landed = land_day(conn, day)
        return _result(source, as_of, landed, started, last_updated=day.last_updated)
    if source == "pokemonpricetracker":
        from pokewatch.sources.pokemonpricetracker import collect_day

        if not set_ids and not product_ids:
            raise SourceError("pokemonpricetracker: name the sets or products to collect (its daily quota is small)")
        day = collect_day(settings, as_of, base_url=base_url, api_key=api_key, set_ids=set_ids, product_ids=product_ids)
        with db.connect(settings) as conn:
            landed = land_day(conn, day)
        return _result(source, as_of, landed, started, note=day.note)
    if source == "pokemontcg":
        from pokewatch.sources import pokemontcg

        cards = pokemontcg.fetch_cards(settings, base_url=base_url, api_key=api_key, set_ids=set_ids)
        pokemontcg.keep(settings, as_of, cards)
        with db.connect(settings) as conn:
            day, report = pokemontcg.to_landing(conn, cards, as_of)
            landed = land_day(conn, day)
            pokemontcg.land_extras(conn, report)
        return _result(source, as_of, landed, started, unmapped=report.unmapped, note=report.summary())
    raise SourceError(f"unknown source {source!r}; choose one of {', '.join(SOURCES)}")


def _result(source: str, as_of: dt.date, landed: LandingResult, started: float, **extra) -> CollectResult:
    return CollectResult(
        source, as_of, rows=landed.rows, inserted=landed.inserted, updated=landed.updated,
        seconds=time.perf_counter() - started, **extra,
    )


def import_history(settings: Settings, path: Path, source: str = "tcgcsv") -> LandingResult:
    """Land a tcgcsv-schema price file (parquet/CSV, many days) in one transaction; rerunning changes nothing."""
    prices = read_price_history(Path(path), settings.tcgcsv_category)
    with db.connect(settings) as conn:
        return land_prices(conn, source, prices)


@dataclass
class BackfillDay:
    as_of: dt.date
    status: str  # landed | skipped (already landed) | missing (no archive for the day) | failed
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    seconds: float = 0.0
    error: str = ""


@dataclass
class BackfillResult:
    days: list[BackfillDay] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(d.status == status for d in self.days)

    @property
    def rows(self) -> int:
        return sum(d.rows for d in self.days if d.status == "landed")

    @property
    def ok(self) -> bool:
        return not self.count("failed")


def backfill(
    settings: Settings,
    start: dt.date | None = None,
    end: dt.date | None = None,
    archive_dir: Path | None = None,
    base_url: str | None = None,
    progress: bool = True,
    lock: bool = True,
) -> BackfillResult:
    """Land tcgcsv's daily archives day by day (each day its own transaction); resumable and idempotent.

    Days already in `landings` for tcgcsv are skipped without downloading. With `archive_dir` the archives
    are read from there (`prices-YYYY-MM-DD.ppmd.7z`; start/end default to the files present), otherwise
    downloaded from `{base_url}/archive/tcgplayer/` into HOME/raw/tcgcsv-archive/ (start required, end
    defaults to start). A failing day is reported and the others still land; rerun to finish it.
    """
    started = time.perf_counter()
    days = _backfill_days(start, end, archive_dir)
    result = BackfillResult()
    cache = settings.home_dir / "raw" / "tcgcsv-archive"
    with db.connect(settings, autocommit=True) as conn:
        guard = db.writer_lock(conn, settings.lock_timeout_seconds, "backfill") if lock else nullcontext()
        with guard, _progress(progress) as bar:
            task = bar.add_task("backfill", total=len(days))
            landed = {
                r[0] for r in conn.execute("select as_of from pokewatch.landings where source = 'tcgcsv'").fetchall()
            }
            for day in days:
                bar.update(task, description=f"backfill {day}")
                result.days.append(_backfill_day(settings, conn, day, landed, archive_dir, cache, base_url))
                bar.advance(task)
    result.seconds = time.perf_counter() - started
    return result


def _backfill_day(settings, conn, day, landed, archive_dir, cache, base_url) -> BackfillDay:
    t0 = time.perf_counter()
    if day in landed:
        return BackfillDay(day, "skipped")
    try:
        if archive_dir is not None:
            path = Path(archive_dir) / tcgcsv_archive.archive_name(day)
            path = path if path.exists() else None
        else:
            path = cache / tcgcsv_archive.archive_name(day)
            if not path.exists():
                cache.mkdir(parents=True, exist_ok=True)
                path = tcgcsv_archive.download_archive(settings, day, cache, base_url)
        if path is None:
            return BackfillDay(day, "missing", seconds=time.perf_counter() - t0, error="no archive for this day")
        prices = tcgcsv_archive.read_archive(path, settings.tcgcsv_category)
        with conn.transaction():  # one day, all or nothing
            out = land_prices(conn, "tcgcsv", prices)
    except SourceError as exc:
        return BackfillDay(day, "failed", seconds=time.perf_counter() - t0, error=str(exc))
    return BackfillDay(day, "landed", out.rows, out.inserted, out.updated, time.perf_counter() - t0)


def _backfill_days(start: dt.date | None, end: dt.date | None, archive_dir: Path | None) -> list[dt.date]:
    if archive_dir is not None:
        folder = Path(archive_dir)
        if not folder.is_dir():
            raise SourceError(f"{folder}: no such folder of tcgcsv archives")
        present = sorted(_archive_day(p) for p in folder.glob("prices-*.ppmd.7z") if _archive_day(p))
        if start is None and end is None:
            return present
        if start is None:
            start = present[0] if present else end
    if start is None:
        raise SourceError("backfill needs a start day (--from) or a folder of archives (--archive-dir)")
    end = end or start
    if end < start:
        raise SourceError(f"backfill: end {end} is before start {start}")
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _archive_day(path: Path) -> dt.date | None:
    try:
        return dt.date.fromisoformat(path.name.removeprefix("prices-").removesuffix(".ppmd.7z"))
    except ValueError:
        return None


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        disable=not enabled, transient=False,
    )


def backfill_table(result: BackfillResult) -> Table:
    """The per-day outcome of a backfill, for the CLI to print."""
    table = Table(title=f"tcgcsv backfill: {result.rows:,} rows in {result.seconds:.1f} s")
    for name, justify in (("day", "left"), ("status", "left"), ("rows", "right"), ("inserted", "right"),
                          ("updated", "right"), ("seconds", "right"), ("note", "left")):
        table.add_column(name, justify=justify)
    styles = {"landed": "green", "skipped": "dim", "missing": "yellow", "failed": "red"}
    for d in result.days:
        table.add_row(
            str(d.as_of), f"[{styles[d.status]}]{d.status}[/]", f"{d.rows:,}", f"{d.inserted:,}", f"{d.updated:,}",
            f"{d.seconds:.1f}", d.error,
        )
    return table


__all__ = [
    "BackfillDay", "BackfillResult", "CollectResult", "backfill", "backfill_table", "collect", "import_history",
]
