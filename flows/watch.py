"""Tasks of the nightly that look back and around: grade earlier signals, find today's alerts, watch for drift.

Each is a plain function of the library (pokewatch.track_record, pokewatch.alerts, pokewatch.drift) as a task with
a retry, and leaves a Prefect artifact people can read in the UI.
"""

import datetime as dt
import uuid

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE

from pokewatch import alerts as alerting
from pokewatch import db, drift, queries, report, track_record
from pokewatch.settings import get_settings


@task(retries=1, retry_delay_seconds=10, cache_policy=NONE)
def grade(as_of: dt.date, source: str) -> track_record.GradeResult:
    """Grade every earlier signal whose horizon ended on a landed day up to as_of."""
    settings = get_settings()
    with db.connect(settings) as conn:
        result = track_record.grade(conn, as_of, source)
    create_markdown_artifact(report.track_record_markdown(result), key="track-record",
                             description=result.line())
    print(result.line())
    return result


@task(retries=1, retry_delay_seconds=10, cache_policy=NONE)
def alerts(as_of: dt.date, run_id: uuid.UUID, source: str) -> alerting.AlertResult:
    """Movers, new highs and lows, stale and thin markets of the day, with each kind's follow-through."""
    settings = get_settings()
    result = alerting.run(settings, as_of, run_id, source)
    create_markdown_artifact(report.alerts_markdown(result, queries.alert_feed(settings, as_of, limit=15)),
                             key="alerts", description=result.line())
    print(result.line())
    return result


@task(retries=1, retry_delay_seconds=10, cache_policy=NONE)
def drift_watch(as_of: dt.date, run_id: uuid.UUID, source: str) -> drift.DriftResult:
    """Each feature, the price level and the signal mix against their reference (PSI)."""
    result = drift.run(get_settings(), as_of, run_id, source)
    create_markdown_artifact(report.drift_markdown(result), key="drift", description=result.line())
    print(result.line())
    return result
