"""The daily price contract: a frame of price rows (a file, a collected day) or a landed day in the warehouse."""

from __future__ import annotations

import datetime as dt
import math
import time
import uuid
from zoneinfo import ZoneInfo

import pandas as pd

from pokewatch import db
from pokewatch.landing_schema import PRICE_COLUMNS
from pokewatch.settings import Settings
from pokewatch.validation import gx_runner
from pokewatch.validation.price_frame import DERIVED_COLUMNS, REFERENCE_DAYS, prepare_prices
from pokewatch.validation.report import ValidationFailed, ValidationReport, combine, finish
from pokewatch.validation.suites import checked, meta_for, suite_json

FRAME_COLUMNS = ["as_of", *PRICE_COLUMNS]
# Sample columns shown for a failing derived column.
SAMPLES = {"market_band_ratio": ["low", "market", "high"], "market_move_factor": ["market"], "days_ahead": ["as_of"],
           "set_move_factor": ["set_id", "market"]}


def _today(settings: Settings | None) -> dt.date:
    return dt.datetime.now(ZoneInfo(settings.timezone if settings else "UTC")).date()


def validate_price_frame(
    frame: pd.DataFrame,
    as_of: dt.date,
    previous: pd.DataFrame | None = None,
    *,
    previous_rows: int | None = None,
    first_day: dt.date | None = None,
    settings: Settings | None = None,
    severities: dict[str, str] | None = None,
    today: dt.date | None = None,
    build_docs: bool = False,
    dataset: str = "daily prices",
    run_name: str | None = None,
    category: int = 3,
) -> ValidationReport:
    """Run the daily_prices suite on an in-memory frame (as_of, product_id, variant, set_id, low, mid, high,
    market, direct_low) — e.g. a file or a collected day before landing.

    `previous` is the reference before the day (product_id, variant, market: each series' recent median,
    `previous_day`): its row count sets the row-count band (or pass `previous_rows`; 0 = no band) and its market
    prices the moves. A frame of several days
    (`first_day`..`as_of`) is validated in one pass: its band scales with the number of days.
    Thresholds are the `category`'s (suite meta `parameters`: a missing market is normal in the Japanese
    catalogue). Severities: the settings' overrides, then `severities`. Raises ValidationFailed on a critical failure;
    warning failures are listed in `report.quarantine_rows` (frame positions) — nothing is removed here.
    """
    started = time.perf_counter()
    overrides = checked({**(settings.validation_severity if settings else {}), **(severities or {})})
    move_meta = meta_for("daily_prices", "market_day_over_day_move")
    band = meta_for("daily_prices", "row_count_in_band").get("band", [0.5, 2.0])
    today = today or _today(settings)
    first_day = first_day or as_of
    days = [first_day + dt.timedelta(days=i) for i in range((as_of - first_day).days + 1)]
    if previous_rows is None and previous is not None:
        previous_rows = len(previous)
    if previous_rows:
        params = {"min_rows": max(1, math.ceil(band[0] * previous_rows * len(days))),
                  "max_rows": math.floor(band[1] * previous_rows * len(days))}
    else:
        params = {"min_rows": 1, "max_rows": None}
    params["run_days"] = [d.isoformat() for d in days]
    params.update(category_parameters(category))
    prepared = prepare_prices(frame, previous, today, float(move_meta.get("min_dollars", 50.0)))
    results, quarantine, docs = gx_runner.run(
        "daily_prices", prepared, severities=overrides, params=params,
        state=settings.home_dir if settings and build_docs else None,
        run_name=run_name, sample_columns=SAMPLES, derived_columns=DERIVED_COLUMNS,
    )
    return finish(dataset, as_of, len(prepared), results, quarantine, docs, started)


def category_parameters(category: int) -> dict:
    """The suite's expectation parameters for a TCGplayer category (its meta `parameters`)."""
    table = suite_json("daily_prices")["meta"].get("parameters", {})
    if str(category) not in table:
        raise ValueError(f"the daily_prices suite has no thresholds for category {category}")
    return dict(table[str(category)])


def _load_day(conn, source: str, category: int, as_of: dt.date) -> pd.DataFrame:
    frame = db.copy_out(
        conn,
        f"select {', '.join(FRAME_COLUMNS)} from pokewatch.prices "
        "where source = %s and category_id = %s and as_of = %s",
        (source, category, as_of),
    )
    if frame.empty:
        frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in FRAME_COLUMNS})
        frame["variant"] = frame["variant"].astype("object")
        frame["as_of"] = frame["as_of"].astype("object")
    frame["variant"] = frame["variant"].astype(str)
    return frame


def previous_day(conn, source: str, category: int, as_of: dt.date) -> tuple[pd.DataFrame | None, int | None]:
    """Each series' recent median market before `as_of` (product_id, variant, market) and the row count of the
    category's last landed day before it; (None, None) when nothing is landed before it."""
    days = [r[0] for r in conn.execute(
        "select as_of from pokewatch.landings where source = %s and category_id = %s and as_of < %s "
        "order by as_of desc limit %s", (source, category, as_of, REFERENCE_DAYS))]
    if not days:
        return None, None
    previous = db.copy_out(
        conn, "select product_id, variant, percentile_cont(0.5) within group (order by market) as market, "
        "bool_or(as_of = %s) as on_last_day from pokewatch.prices "
        "where source = %s and category_id = %s and as_of = any(%s) group by product_id, variant",
        (days[0], source, category, days),
    )
    if previous.empty:
        return None, None
    previous["variant"] = previous["variant"].astype(str)
    return previous[["product_id", "variant", "market"]], int(previous["on_last_day"].sum())


def validate_prices(
    settings: Settings,
    as_of: dt.date,
    run_id: uuid.UUID | None = None,
    source: str = "tcgcsv",
    build_docs: bool = True,
    *,
    severities: dict[str, str] | None = None,
    today: dt.date | None = None,
) -> ValidationReport:
    """Validate the day's rows of pokewatch.prices for a source, each configured category against its own
    previous landed day and thresholds; one report for the day.

    Critical failure → ValidationFailed, nothing changed. Warning failures → the offending rows move to
    pokewatch.quarantine and leave pokewatch.prices, in one transaction per category.
    """
    started = time.perf_counter()
    with db.connect(settings) as conn:
        landed = [r[0] for r in conn.execute(
            "select category_id from pokewatch.landings where source = %s and as_of = %s and category_id = any(%s) "
            "order by category_id", (source, as_of, settings.categories))]
    # Nothing landed at all: the first category is validated anyway, so the empty day fails loudly. Every
    # category is validated before any row moves: a critical failure in one leaves the others untouched too.
    checked_days = [_validate_category(settings, as_of, run_id, source, category, build_docs, severities, today)
                    for category in landed or settings.categories[:1]]
    reports = [report for report, _ in checked_days]
    check_quarantine_share(settings, as_of, reports)
    from pokewatch.quarantine import quarantine_rows

    for report, frame in checked_days:
        if report.quarantined:
            with db.connect(settings) as conn:
                quarantine_rows(conn, frame, report.quarantine_rows, as_of, source, run_id)
    return combine(reports, started)


def check_quarantine_share(settings: Settings, as_of: dt.date, reports: list[ValidationReport]) -> None:
    """Warnings quarantine a few bad rows; when they would take more than max_quarantine_share of a category's
    day, the feed changed (renamed variants, a new format): stop before anything moves or is published."""
    for report in reports:
        rows = {i for positions in report.quarantine_rows.values() for i in positions}
        if report.rows and len(rows) > settings.max_quarantine_share * report.rows:
            names = ", ".join(sorted(report.quarantine_rows))
            raise ValidationFailed(
                f"{report.dataset} for {as_of}: warning expectations ({names}) would quarantine {len(rows):,} of "
                f"{report.rows:,} rows ({len(rows) / report.rows:.0%}), more than the "
                f"{settings.max_quarantine_share:.0%} a day of a few bad rows makes (POKEWATCH_MAX_QUARANTINE_SHARE): "
                "the feed changed; nothing was quarantined or published", report)


def _validate_category(settings, as_of, run_id, source, category, build_docs, severities, today):
    """The category's day checked against its own previous day: (report, the rows checked). Moves nothing."""
    started = time.perf_counter()
    with db.connect(settings) as conn:
        frame = _load_day(conn, source, category, as_of)
        previous, previous_rows = previous_day(conn, source, category, as_of)
    run_name = f"{source}-{category}-{as_of.isoformat()}" + (f"-{run_id}" if run_id else "")
    try:
        report = validate_price_frame(frame, as_of, previous, previous_rows=previous_rows, settings=settings,
                                      severities=severities, today=today,
                                      build_docs=build_docs, run_name=run_name, category=category,
                                      dataset=f"daily prices (category {category})")
    except ValidationFailed as exc:
        exc.report.seconds = time.perf_counter() - started
        raise
    report.seconds = time.perf_counter() - started
    return report, frame
