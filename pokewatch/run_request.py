"""What a nightly run is asked to do, resolved once from settings and the flow's parameters.

The flow passes the request whole: the day (given; the demo sample's last day; the day before the scheduled start
for a deployment's run; or, run by hand with collection, the day the source serves), the source every stage
reads, whether to collect first, the signal rule and the cost profiles to decide for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from pokewatch import db, landing
from pokewatch import demo as demo_sample
from pokewatch.schedule import nightly_day
from pokewatch.settings import Settings, check_source
from pokewatch.signals import SignalRule


@dataclass(frozen=True)
class RunRequest:
    as_of: dt.date | None  # None: the day the source serves (known once collected)
    source: str
    collect: bool
    demo: bool
    rule: SignalRule
    profiles: list[str] | None = None  # None: the configured ones (POKEWATCH_PROFILES)
    horizons: list[int] | None = None  # None: the configured ones (POKEWATCH_HORIZONS)


def resolve(settings: Settings, *, as_of: dt.date | None = None, skip_collect: bool = False, demo: bool = False,
            source: str = "tcgcsv", profiles: list[str] | None = None, min_gain_dollars: float | None = None,
            horizons: list[int] | None = None,
            scheduled_start: dt.datetime | None = None, scheduled: bool = False) -> RunRequest:
    """The run's request; the demo runs offline on the shipped sample's last day, with the configured profiles.

    With no day given, a deployment's run (`scheduled`) expects the day before its scheduled start; a run by
    hand that collects takes the day the source serves; one that does not collect, the day before today.
    """
    check_source(source)
    if demo:
        as_of, skip_collect = as_of or demo_sample.sample_last_day(), True
    day = as_of
    if day is None and (scheduled or skip_collect):
        day = nightly_day(scheduled_start, settings.timezone)
    rule = SignalRule.from_settings(settings, min_gain_dollars)
    if horizons and any(int(h) <= 0 for h in horizons):
        raise ValueError(f"horizons must be positive days, e.g. 7,30,90, got {horizons}")
    return RunRequest(day, source, not skip_collect, demo, rule, list(profiles) if profiles else None,
                      list(dict.fromkeys(int(h) for h in horizons)) if horizons else None)


def after_collect(request: RunRequest, collected) -> RunRequest:
    """The request with the day the source actually served (the day a run by hand runs for)."""
    return replace(request, as_of=collected.as_of)


def nothing_to_run(settings: Settings, request: RunRequest, collected) -> bool:
    """A collection the source skipped (nothing new published) leaves nothing to run unless the day is landed."""
    if not collected.skipped:
        return False
    with db.connect(settings) as conn:
        return not landing.is_landed(conn, request.source, collected.as_of)
