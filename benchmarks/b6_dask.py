"""B6 Dask: scoring the replicated catalogue (10× by default) through the `score` flow, partitioned, on a
temporary Dask LocalCluster of 1, 2 and 4 worker processes, beside the default thread runner.

Each configuration runs in its own process; Prefect's temporary server is warmed up first, so the times are the
flow's: planning, the partition tasks (history read, features, prediction, decision), publication in one
transaction, plus the LocalCluster's start and stop. On a machine with few cores the point is the overhead.
`POKEWATCH_B6_FACTOR` sets the replication factor (default 10), `POKEWATCH_BENCH_REPEATS` the repeats.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

from benchmarks.b3_scale import replicate
from benchmarks.common import HISTORY, REPEATS, median, scratch_database, settings_for, table
from pokewatch import db, schema, train
from pokewatch.landing import land_prices
from pokewatch.settings import PROJECT_DIR
from pokewatch.sources.files import read_price_history

DAY = dt.date(2025, 10, 26)
FACTOR = int(os.environ.get("POKEWATCH_B6_FACTOR", "10"))
CONFIGS = [("thread", 2), ("dask", 1), ("dask", 2), ("dask", 4)]

WORKER = """
import datetime as dt, json, sys, time
from prefect import flow

@flow
def warm_up():
    return 1

if __name__ == "__main__":
    from flows.score import score
    warm_up()  # Prefect's temporary server starts here, not inside the measured run
    t0 = time.perf_counter()
    result = score(dt.date.fromisoformat(sys.argv[1]))
    print(json.dumps({"total": time.perf_counter() - t0, "publish": result.publish_seconds,
                      "rows": result.rows, "partitions": result.partitions}))
"""


def _score(settings, runner: str, workers: int) -> dict:
    env = {**os.environ, "POKEWATCH_DATABASE_URL": settings.database_url.get_secret_value(),
           "POKEWATCH_HOME": str(settings.home), "POKEWATCH_TASK_RUNNER": runner,
           "POKEWATCH_DASK_WORKERS": str(workers), "PYTHONPATH": str(PROJECT_DIR)}
    env.pop("PREFECT_API_URL", None)
    env.pop("POKEWATCH_DASK_ADDRESS", None)
    script = settings.home / "b6_worker.py"
    script.write_text(WORKER)
    out = subprocess.run([sys.executable, str(script), str(DAY)], env=env, cwd=PROJECT_DIR, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(factor: int = FACTOR) -> tuple[str, dict]:
    history = read_price_history(HISTORY)
    results: dict[str, list[dict]] = {}
    with scratch_database() as name:
        settings = settings_for(name)
        schema.migrate(settings)
        with db.connect(settings) as conn:
            land_prices(conn, "tcgcsv", replicate(history, factor))
        del history
        train.train(settings, DAY)  # the champion every configuration scores with
        for runner, workers in CONFIGS:
            key = f"{runner}:{workers}"
            results[key] = [_score(settings, runner, workers) for _ in range(REPEATS)]
            print(f"B6 {factor}× {key}: {json.dumps(results[key])}", file=sys.stderr, flush=True)
    base = median([r["total"] for r in results["dask:1"]])
    rows = []
    for runner, workers in CONFIGS:
        runs = results[f"{runner}:{workers}"]
        total = median([r["total"] for r in runs])
        label = "thread pool (default)" if runner == "thread" else "Dask LocalCluster"
        rows.append([label, workers, runs[0]["partitions"], runs[0]["rows"], total,
                     median([r["publish"] for r in runs]), base / total])
    text = table([f"B6 scoring, {factor}× catalogue", "workers", "partitions", "signals", "flow (s)",
                  "publish (s)", "speed-up vs 1 Dask worker"], rows)
    text += (f"\n\n{os.cpu_count()} CPU(s); median of {REPEATS}; Dask workers are processes with one thread each; "
             "the LocalCluster's start-up is inside the flow time.")
    return text, {key: median([r["total"] for r in runs]) for key, runs in results.items()}


if __name__ == "__main__":
    print(run()[0])
