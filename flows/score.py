"""Flow `score`: every priced card through the champion, signals published all at once.

The library builds the day's ScoringRequest and plan (pokewatch.scoring); this flow maps the library's own
`score_partition` over the plan's partitions as tasks on the task runner POKEWATCH_TASK_RUNNER names: `thread`
(Prefect's ThreadPoolTaskRunner, one machine) or `dask` (prefect-dask's DaskTaskRunner: the cluster at
POKEWATCH_DASK_ADDRESS, else a temporary LocalCluster of POKEWATCH_DASK_WORKERS workers). The partitions' signals
come back to the flow, which validates and publishes them in one transaction.
"""

import datetime as dt
import time
import uuid

from prefect import flow, task, unmapped
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.task_runners import ThreadPoolTaskRunner

from flows.params import Maybe
from pokewatch import report, scaleout, scoring
from pokewatch.settings import Source, get_settings
from pokewatch.signals import SignalRule

# A temporary LocalCluster uses worker processes (real parallelism past the GIL) with one thread each.
LOCAL_CLUSTER_PROCESSES = True


def task_runner(settings, processes: bool | None = None):
    """The task runner the settings ask for (see the module docstring)."""
    if settings.task_runner == "thread":
        return ThreadPoolTaskRunner(max_workers=settings.dask_workers)
    from prefect_dask import DaskTaskRunner

    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    processes = LOCAL_CLUSTER_PROCESSES if processes is None else processes
    return DaskTaskRunner(cluster_kwargs={"n_workers": settings.dask_workers, "threads_per_worker": 1,
                                          "processes": processes, "dashboard_address": None})


# No task timeout: on the thread runner Prefect cannot enforce one; the flow carries it.
@task(cache_policy=NONE, task_run_name="score-partition-{partition.index}")
def score_partition(request: scoring.ScoringRequest, partition: scaleout.Partition):
    """One partition's signals (a frame; nothing written). The model is loaded once per worker process."""
    return scoring.score_partition(get_settings(), request, partition)


@task(cache_policy=NONE)
def publish(plan: scoring.ScoringPlan, parts: list, started: float):
    return scoring.publish(get_settings(), plan, parts, started)


@flow(name="score-partitions", log_prints=True, timeout_seconds=3600)
def score_request(request: scoring.ScoringRequest):
    """Plan partitions, score each as a task on this flow's task runner, publish all of them at once."""
    settings = get_settings()
    started = time.perf_counter()
    plan = scoring.plan(settings, request)
    print(f"{plan.series} series in {len(plan.partitions)} partition(s) on {settings.task_runner}")
    futures = score_partition.map(unmapped(request), plan.partitions)
    parts = [future.result() for future in futures]  # the first failed partition fails the run: nothing written
    result = publish(plan, parts, started)
    create_markdown_artifact(report.signals_markdown(result), key="signals", description="Signals published")
    print(f"{result.rows} signals published with model version {result.model_version} "
          f"({result.partitions} partition(s)): {result.counts}")
    return result


def run(request: scoring.ScoringRequest):
    """Score a request on the task runner the settings name (the subflow the nightly and `score` call)."""
    return score_request.with_options(task_runner=task_runner(get_settings()))(request)


@flow(name="score", log_prints=True)
def score(as_of: dt.date, run_id: Maybe[uuid.UUID] = None, profiles: Maybe[list[str]] = None,
          min_gain_dollars: Maybe[float] = None, source: Source = "tcgcsv", horizon: Maybe[int] = None):
    """Score every priced card of a day with the champion and publish the signals at once.

    Args:
        as_of: Landed day to score.
        run_id: Nightly run the signals belong to (a new one when empty).
        profiles: Cost profiles to decide for (rows of pokewatch.cost_profiles); empty = settings (POKEWATCH_PROFILES).
        min_gain_dollars: Smallest dollar gain a BUY/SELL must promise; empty = settings.
        source: Source whose landed prices are scored.
        horizon: Days ahead (one of POKEWATCH_HORIZONS, scored by that horizon's champion); empty = the primary.
    """
    settings = get_settings()
    settings = settings.for_horizon(horizon) if horizon else settings
    rule = SignalRule.from_settings(settings, min_gain_dollars)
    return run(scoring.request(settings, as_of, run_id or uuid.uuid4(), rule, source, profiles))
