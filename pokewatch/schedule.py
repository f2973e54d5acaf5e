"""The schedule: which day a scheduled run is for, and what Prefect will run next (soonest first).

Reads the Prefect API named by PREFECT_API_URL (or the active Prefect profile). Prefect is imported
inside the function so that `pokewatch --help` and the other commands stay fast.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

# The flows PokeWatch deploys (deployments/prefect.yaml): other flows on a shared server are not ours.
POKEWATCH_FLOWS = ("nightly", "backfill", "train", "score", "backtest")


def nightly_day(scheduled_start: dt.datetime | None, timezone: str) -> dt.date:
    """A run scheduled in the night scores the day before: tcgcsv publishes a day's prices that evening."""
    start = scheduled_start or dt.datetime.now(dt.UTC)
    return (start.astimezone(ZoneInfo(timezone)) - dt.timedelta(days=1)).date()


class ScheduleUnavailable(RuntimeError):
    """The Prefect API could not be reached or answered with an error."""


def next_runs(n: int = 10, *, flows: tuple[str, ...] | None = POKEWATCH_FLOWS) -> list[dict[str, Any]]:
    """The next `n` scheduled (or late) flow runs, soonest first.

    Each item: deployment ("flow/deployment"), flow, scheduled (timezone-aware datetime, UTC), state
    ("Scheduled" or "Late"), flow_run (name), flow_run_id, parameters, tags. `flows=None` lists every flow
    on the server.
    """
    if n <= 0:
        return []
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort

    run_filter = FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])))
    flow_filter = FlowFilter(name=FlowFilterName(any_=list(flows))) if flows else None
    try:
        with get_client(sync_client=True) as client:
            runs = client.read_flow_runs(flow_filter=flow_filter, flow_run_filter=run_filter,
                                         sort=FlowRunSort.EXPECTED_START_TIME_ASC, limit=n)
            deployment_ids = sorted({r.deployment_id for r in runs if r.deployment_id}, key=str)
            names: dict = {}
            if deployment_ids:
                deployments = client.read_deployments(
                    deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=deployment_ids)))
                flow_names = {f.id: f.name for f in client.read_flows(
                    flow_filter=FlowFilter(id={"any_": list({d.flow_id for d in deployments})}))}
                names = {d.id: f"{flow_names.get(d.flow_id, '?')}/{d.name}" for d in deployments}
    except Exception as exc:  # httpx errors, Prefect API errors: one clear message for the CLI
        raise ScheduleUnavailable(f"cannot read the schedule from the Prefect API: {exc}") from exc
    return [
        {
            "deployment": names.get(r.deployment_id, ""),
            "flow": names.get(r.deployment_id, "/").split("/", 1)[0] or None,
            "scheduled": _aware(r.expected_start_time or r.next_scheduled_start_time),
            "state": r.state_name,
            "flow_run": r.name,
            "flow_run_id": str(r.id),
            "parameters": dict(r.parameters or {}),
            "tags": list(r.tags or []),
        }
        for r in runs
    ]


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A plain `datetime` in UTC (Prefect hands back its own datetime subclass)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return dt.datetime.fromtimestamp(value.timestamp(), tz=dt.timezone.utc)
