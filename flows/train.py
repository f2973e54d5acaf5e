"""Flow `train`: fit a challenger, judge it against baselines and the champion, log it to MLflow."""

import datetime as dt

from prefect import flow, runtime, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NONE

from flows.params import Maybe
from pokewatch import report
from pokewatch import train as training
from pokewatch.settings import Source, get_settings


@task(timeout_seconds=3600, cache_policy=NONE)
def fit_and_register(as_of: dt.date, source: str, horizon: int | None = None, horizons: list[int] | None = None):
    lineage = {"prefect.flow_run_id": str(runtime.flow_run.id), "prefect.flow_run_url": runtime.flow_run.ui_url or ""}
    settings = get_settings().with_horizons(horizons)
    return training.train(settings.for_horizon(horizon) if horizon else settings, as_of, source, lineage)


@flow(name="train", log_prints=True)
def train(as_of: dt.date, source: Source = "tcgcsv", horizon: Maybe[int] = None, horizons: Maybe[list[int]] = None):
    """Fit a challenger on history up to as_of and promote it only if it passes the gates and beats the champion.

    Args:
        as_of: Last day of history the model may see.
        source: Source whose landed prices are the history.
        horizon: Days ahead to forecast (one of the horizons); empty = the primary horizon.
        horizons: All horizons forecast (the first is primary: its champion is `champion`, another's
            `champion-30d`); empty = settings (POKEWATCH_HORIZONS).
    """
    result = fit_and_register(as_of, source, horizon, horizons)
    create_table_artifact(report.decision_table(result), key="model-decision",
                          description=f"version {result.version}: {result.reason}")
    print(f"model version {result.version}: {'promoted' if result.promoted else 'not promoted'} - {result.reason}")
    return result
