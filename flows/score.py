"""Flow `score`: every priced card through the champion, signals published all at once."""

import datetime as dt
import uuid

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE

from pokewatch import predict, report
from pokewatch.settings import get_settings
from pokewatch.signals import SignalRule


@task(timeout_seconds=3600, cache_policy=NONE)
def score_and_publish(as_of: dt.date, run_id: uuid.UUID, round_trip_cost: float | None,
                      min_gain_dollars: float | None):
    settings = get_settings()
    rule = SignalRule.from_settings(settings, round_trip_cost, min_gain_dollars)
    return predict.score(settings, as_of, run_id, rule)


@flow(name="score", log_prints=True)
def score(as_of: dt.date, run_id: uuid.UUID | None = None, round_trip_cost: float | None = None,
          min_gain_dollars: float | None = None):
    """Costs left empty come from settings (POKEWATCH_ROUND_TRIP_COST, POKEWATCH_MIN_GAIN_DOLLARS)."""
    result = score_and_publish(as_of, run_id or uuid.uuid4(), round_trip_cost, min_gain_dollars)
    create_markdown_artifact(report.signals_markdown(result), key="signals", description="Signals published")
    print(f"{result.rows} signals published with model version {result.model_version}: {result.counts}")
    return result
