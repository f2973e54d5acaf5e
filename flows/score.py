"""Flow `score`: every priced card through the champion, signals published all at once.

The day's catalogue is split into partitions (pokewatch.scaleout: ceil(series / POKEWATCH_PARTITION_SIZE), by a
stable hash of product_id); one task per partition builds features and scores on the task runner chosen by
POKEWATCH_TASK_RUNNER: `thread` (Prefect's ThreadPoolTaskRunner, one machine) or `dask` (prefect-dask's
DaskTaskRunner: the cluster at POKEWATCH_DASK_ADDRESS, else a temporary LocalCluster of POKEWATCH_DASK_WORKERS
workers). The partitions' signals come back to the flow, which validates and publishes them in one transaction.
"""

import datetime as dt
import time
import uuid

from prefect import flow, task, unmapped
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.task_runners import ThreadPoolTaskRunner

from pokewatch import db, partitions, predict, report, scaleout
from pokewatch.settings import get_settings
from pokewatch.signals import SignalRule

# A temporary LocalCluster uses worker processes (real parallelism past the GIL) with one thread each.
LOCAL_CLUSTER_PROCESSES = True


def task_runner(settings, processes: bool | None = None):
    """The task runner the settings ask for (see the module docstring)."""
    name = scaleout.task_runner_name(settings)
    if name == "thread":
        return ThreadPoolTaskRunner(max_workers=scaleout.dask_workers(settings))
    from prefect_dask import DaskTaskRunner

    address = scaleout.dask_address(settings)
    if address:
        return DaskTaskRunner(address=address)
    processes = LOCAL_CLUSTER_PROCESSES if processes is None else processes
    return DaskTaskRunner(cluster_kwargs={"n_workers": scaleout.dask_workers(settings), "threads_per_worker": 1,
                                          "processes": processes, "dashboard_address": None})


# No task timeout: on the thread runner Prefect cannot enforce one; the flow carries it.
@task(cache_policy=NONE, task_run_name="score-partition-{partition.index}")
def score_partition(as_of: dt.date, partition: scaleout.Partition, model_version: int, run_id: uuid.UUID,
                    round_trip_cost: float | None, min_gain_dollars: float | None,
                    set_first_seen: dict[int, str]):
    """One partition's signals (a frame; nothing written). The model is loaded once per worker process."""
    settings = get_settings()
    rule = SignalRule.from_settings(settings, round_trip_cost, min_gain_dollars)
    return predict.score_partition(settings, as_of, model_version, run_id, partition.product_filter, rule,
                                   set_first_seen)


@task(cache_policy=NONE)
def publish(as_of: dt.date, parts: list, model_version: int, started: float, count: int):
    return predict.publish(get_settings(), parts, as_of, model_version, started, count)


@flow(name="score-partitions", log_prints=True, timeout_seconds=3600)
def score_partitions(as_of: dt.date, run_id: uuid.UUID, round_trip_cost: float | None = None,
                     min_gain_dollars: float | None = None):
    """Plan partitions, score each as a task on this flow's task runner, publish all of them at once."""
    settings = get_settings()
    started = time.perf_counter()
    version = predict.champion_version(settings)  # NoChampion before any work
    with db.connect(settings) as conn:
        partitions.ensure_coming_month(conn, as_of)  # this month's and next month's partitions, ahead of need
    plan = predict.plan(settings, as_of)
    if not plan.partitions:
        raise RuntimeError(f"no landed prices for {as_of}: nothing to score")
    print(f"{plan.series} series in {len(plan.partitions)} partition(s) on {scaleout.task_runner_name(settings)}")
    futures = score_partition.map(unmapped(as_of), plan.partitions, unmapped(version), unmapped(run_id),
                                  unmapped(round_trip_cost), unmapped(min_gain_dollars),
                                  unmapped(plan.set_first_seen))
    parts = [future.result() for future in futures]  # the first failed partition fails the run: nothing written
    return publish(as_of, parts, version, started, len(plan.partitions))


@flow(name="score", log_prints=True)
def score(as_of: dt.date, run_id: uuid.UUID | None = None, round_trip_cost: float | None = None,
          min_gain_dollars: float | None = None):
    """Costs left empty come from settings (POKEWATCH_ROUND_TRIP_COST, POKEWATCH_MIN_GAIN_DOLLARS)."""
    runner = task_runner(get_settings())
    result = score_partitions.with_options(task_runner=runner)(as_of, run_id or uuid.uuid4(), round_trip_cost,
                                                              min_gain_dollars)
    create_markdown_artifact(report.signals_markdown(result), key="signals", description="Signals published")
    print(f"{result.rows} signals published with model version {result.model_version} "
          f"({result.partitions} partition(s)): {result.counts}")
    return result
