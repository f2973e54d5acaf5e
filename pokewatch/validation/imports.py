"""The data contract on rows that land outside the nightly (`import`, `backfill`): the same daily_prices suite
`validate` runs, checked before anything lands; a critical failure lands nothing, warnings quarantine their rows
in the landing's own transaction, and a day whose warnings would take a large share of it stops (a changed feed).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import psycopg

from pokewatch.landing_schema import NUMERIC_COLUMNS
from pokewatch.quarantine import quarantine_rows
from pokewatch.settings import Settings
from pokewatch.validation.prices import FRAME_COLUMNS, check_quarantine_share, previous_day, validate_price_frame
from pokewatch.validation.report import ValidationReport


def check_frame(conn: psycopg.Connection, settings: Settings, source: str, prices: pd.DataFrame, *,
                label: str, whole_days: bool) -> list[tuple[pd.DataFrame, ValidationReport]]:
    """Each category's rows of `prices` (one or many days) against the suite, with the warehouse's recent
    prices before its first day as the reference: [(the category's rows as checked, its report)].

    `whole_days`: the rows are complete catalogue days (an archive), so the row count must be in the band
    of the previous landed day, as for a collected day; a file may hold any part of a catalogue.
    Raises ValidationFailed (nothing landed) on a critical failure or too large a quarantined share.
    """
    checked = []
    for category, part in prices.groupby("category_id", sort=True):
        frame = _typed(part[[c for c in FRAME_COLUMNS if c in part.columns]].reset_index(drop=True))
        days = sorted(set(frame["as_of"]))
        previous, previous_rows = previous_day(conn, source, int(category), days[0])
        report = validate_price_frame(
            frame, days[-1], previous, previous_rows=previous_rows if whole_days else 0, first_day=days[0],
            settings=settings, category=int(category), dataset=f"{label}: daily prices (category {category})")
        checked.append((frame, report))
    check_quarantine_share(settings, max(prices["as_of"]), [report for _, report in checked])
    return checked


def quarantine_checked(conn: psycopg.Connection, source: str, checked: list[tuple[pd.DataFrame, ValidationReport]]
                       ) -> int:
    """Move the rows the warnings rejected out of the just-landed prices (inside the caller's transaction)."""
    moved = 0
    for frame, report in checked:
        if not report.quarantined:
            continue
        day_of = frame["as_of"].to_numpy()
        for day in sorted({day_of[p] for positions in report.quarantine_rows.values() for p in positions}):
            on_day = frame.index[frame["as_of"] == day]
            local = {pos: i for i, pos in enumerate(on_day)}
            rejected = {name: [local[p] for p in positions if p in local]
                        for name, positions in report.quarantine_rows.items()}
            moved += quarantine_rows(conn, frame.loc[on_day].reset_index(drop=True),
                                     {k: v for k, v in rejected.items() if v}, _as_date(day), source, None)
    return moved


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers parsed from JSON arrive as objects (None for missing): check them as the float64 they land as.
    A column holding anything that is not a number stays as it is, so the suite's type check names it."""
    for column in ("product_id", "set_id", *NUMERIC_COLUMNS):
        if column in frame.columns and frame[column].dtype == object:
            numeric = pd.to_numeric(frame[column], errors="coerce")
            if (numeric.notna() == frame[column].notna()).all():
                frame[column] = numeric.astype("float64")
    return frame


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else pd.Timestamp(value).date()
