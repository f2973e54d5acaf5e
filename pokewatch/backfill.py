"""Backfill: land tcgcsv's daily archives for a range of days, each day its own transaction; resumable."""

from __future__ import annotations

import datetime as dt
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pokewatch import db
from pokewatch.landing import land_prices
from pokewatch.settings import Settings
from pokewatch.sources import archive as tcgcsv_archive
from pokewatch.sources.base import SourceError
from pokewatch.validation import imports
from pokewatch.validation.report import ValidationFailed


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

    Categories of a day already in `landings` for tcgcsv are not landed again; a day whose configured categories
    are all landed is skipped without downloading. An archive lands under its own date (the members' day). With `archive_dir` the archives
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
            landed = set(conn.execute(
                "select as_of, category_id from pokewatch.landings where source = 'tcgcsv'").fetchall())
            for day in days:
                bar.update(task, description=f"backfill {day}")
                result.days.append(_backfill_day(settings, conn, day, landed, archive_dir, cache, base_url))
                bar.advance(task)
    result.seconds = time.perf_counter() - started
    return result


def _backfill_day(settings, conn, day, landed, archive_dir, cache, base_url) -> BackfillDay:
    t0 = time.perf_counter()
    wanted = [c for c in settings.categories if (day, c) not in landed]
    if not wanted:
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
        prices = tcgcsv_archive.read_archive(path, wanted)
        held = sorted({str(d) for d in prices["as_of"]})
        if held != [str(day)]:  # the archive's own date decides: never land it under another day
            raise SourceError(f"{path.name} holds prices of {', '.join(held)}, not {day}: nothing landed")
        # the contract `validate` runs on a collected day, before anything of the day lands
        checked = imports.check_frame(conn, settings, "tcgcsv", prices, label=path.name, whole_days=True)
        with conn.transaction():  # one day, all or nothing: its rows and its quarantine
            out = land_prices(conn, "tcgcsv", prices)
            moved = imports.quarantine_checked(conn, "tcgcsv", checked)
    except (SourceError, ValidationFailed) as exc:
        return BackfillDay(day, "failed", seconds=time.perf_counter() - t0, error=str(exc).splitlines()[0])
    return BackfillDay(day, "landed", out.rows, out.inserted, out.updated, time.perf_counter() - t0,
                       error=f"{moved:,} rows quarantined" if moved else "")


def _backfill_days(start: dt.date | None, end: dt.date | None, archive_dir: Path | None) -> list[dt.date]:
    if archive_dir is not None:
        folder = Path(archive_dir)
        if not folder.is_dir():
            raise SourceError(f"{folder}: no such folder of tcgcsv archives")
        present = sorted(d for d in map(tcgcsv_archive.archive_day, folder.glob("prices-*.ppmd.7z")) if d)
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
