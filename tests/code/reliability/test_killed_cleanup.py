"""Issue 17: a SIGKILLed `pokewatch nightly` left its MLflow run RUNNING for good and Prefect's temporary server
listening minutes later (~240 MB). Now the server dies with the command and the next run ends the MLflow run FAILED."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time

import psutil

from pokewatch import registry
from pokewatch.settings import PROJECT_DIR

from .conftest import DAY, cli_env, pokewatch_cmd


def mlflow_runs(settings) -> dict[str, str]:
    with sqlite3.connect(settings.home_dir / "mlflow" / "mlflow.db") as store:
        return dict(store.execute("select run_uuid, status from runs"))


def test_a_killed_nightly_leaves_no_prefect_server_and_its_mlflow_run_is_ended_by_the_next(trained_settings):
    s = trained_settings
    before = mlflow_runs(s)
    assert before and set(before.values()) == {"FINISHED"}
    env = cli_env(s)  # no PREFECT_API_URL: the command starts its own temporary server
    proc = subprocess.Popen(pokewatch_cmd("nightly", "--as-of", str(DAY), "--skip-collect"), cwd=PROJECT_DIR,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    servers: list[psutil.Process] = []
    deadline = time.monotonic() + 600
    while proc.poll() is None and time.monotonic() < deadline:
        servers = servers or [c for c in psutil.Process(proc.pid).children(recursive=True)
                              if "uvicorn" in " ".join(c.cmdline())]
        if "RUNNING" in {v for k, v in mlflow_runs(s).items() if k not in before}:
            break  # the nightly is inside its training's MLflow run
        time.sleep(0.02)
    assert proc.poll() is None, proc.communicate()[1][-3000:]
    assert servers, "the nightly reports to a temporary Prefect server of its own"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    gone, alive = psutil.wait_procs(servers, timeout=30)
    assert not alive, f"the temporary Prefect server outlived its command: {[p.pid for p in alive]}"

    running = [k for k, v in mlflow_runs(s).items() if v == "RUNNING"]
    assert len(running) == 1  # left by the killed process
    with registry.tracked_run(s, "next run"):
        pass
    client = registry.mlflow_client(s)
    killed = client.get_run(running[0])
    assert killed.info.status == "FAILED"
    assert killed.data.tags["pokewatch.abandoned"].startswith(f"its process {killed.data.tags[registry.OWNER_TAG]} "
                                                              "ended without finishing (found by ")
    assert str(proc.pid) == killed.data.tags[registry.OWNER_TAG].rsplit(":", 1)[1]


def test_an_mlflow_run_of_a_live_process_is_left_running(trained_settings):
    """Only a dead owner's run is ended: a run still open in this process, or one from another machine, is not."""
    s = trained_settings
    client = registry.mlflow_client(s)
    experiment = client.get_experiment_by_name(registry.EXPERIMENT).experiment_id
    elsewhere = client.create_run(experiment, tags={registry.OWNER_TAG: "another-host:1"})
    with registry.tracked_run(s, "open") as mine:
        assert registry.end_abandoned_runs(client, experiment) == []
        assert client.get_run(mine.info.run_id).info.status == "RUNNING"
    assert client.get_run(elsewhere.info.run_id).info.status == "RUNNING"
