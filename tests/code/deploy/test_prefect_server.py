"""The Prefect way, end to end, against a REAL Prefect server started here (its own PREFECT_HOME and port):

work pool → `prefect deploy` from deployments/prefect.yaml → `prefect deployment run nightly/nightly --param
demo=true` → `prefect worker start --pool pokewatch --run-once` → the run is COMPLETED and its signals are
in this test's PostgreSQL database. Also reads the schedule back with `pokewatch.schedule.next_runs`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest
import yaml
from sqlalchemy.engine import make_url

from pokewatch import db
from pokewatch.settings import PROJECT_DIR

pytestmark = pytest.mark.slow

PREFECT = str(Path(sys.executable).with_name("prefect"))
PREFECT_YAML = PROJECT_DIR / "deployments" / "prefect.yaml"
SCHEDULE_ZONE = "America/New_York"
UUID_RE = re.compile(r"UUID: ([0-9a-f-]{36})")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _base_env(prefect_home: Path, api_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PREFECT_", "POKEWATCH_", "MLFLOW_")) or k == "POKEWATCH_SHARED_DIR"}
    env.update(
        PREFECT_HOME=str(prefect_home),
        PREFECT_API_URL=api_url,
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="true",
        MLFLOW_DISABLE_TELEMETRY="true",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
        PREFECT_LOGGING_LEVEL="INFO",
        # The scheduler visits new deployments every 5 s instead of 60 s: the test reads the runs it creates.
        PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="5",
        # The deployment's mechanics at one horizon (the product's 7/30/90: tests/code/flows/test_horizons.py).
        POKEWATCH_HORIZONS="7",
    )
    return env


@pytest.fixture
def prefect_server(tmp_path):
    """`prefect server start` on a free port (SQLite in its own PREFECT_HOME); killed at the end."""
    home = tmp_path / "prefect-home"
    home.mkdir()
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = _base_env(home, api_url)
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen([PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, f"prefect server exited: {(tmp_path / 'server.log').read_text()[-3000:]}"
            assert time.monotonic() < deadline, "prefect server not healthy after 180 s"
            time.sleep(0.5)
        yield {"api_url": api_url, "env": env, "home": home}
    finally:
        os.killpg(server.pid, 15)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait(timeout=10)
        log.close()


def _prefect(args: list[str], env: dict, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([PREFECT, *args], env=env, cwd=PROJECT_DIR, capture_output=True, text=True,
                            timeout=timeout)
    if check:
        assert result.returncode == 0, f"prefect {' '.join(args)}:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result


def _deploy_args() -> list[str]:
    """`--all` once every flow file exists; until backfill.py/backtest.py land, the deployments whose do."""
    specs = yaml.safe_load(PREFECT_YAML.read_text())["deployments"]
    present = [s["name"] for s in specs if (PROJECT_DIR / s["entrypoint"].split(":")[0]).exists()]
    base = ["--no-prompt", "deploy", "--prefect-file", "deployments/prefect.yaml"]
    if len(present) == len(specs):
        return [*base, "--all"]
    return [*base, *(arg for name in present for arg in ("--name", name))]


def test_nightly_runs_through_a_real_server_and_worker(prefect_server, database_url, tmp_path):
    env = prefect_server["env"]
    api = prefect_server["api_url"]

    _prefect(["work-pool", "create", "pokewatch", "--type", "process"], env)
    _prefect(["variable", "set", "pokewatch_timezone", SCHEDULE_ZONE], env)
    deployed = _prefect(_deploy_args(), env)
    assert "nightly/nightly" in deployed.stdout
    assert "Warning" not in deployed.stdout + deployed.stderr, deployed.stderr[-3000:]  # e.g. schedules: []

    with httpx.Client(base_url=api, timeout=30) as client:
        nightly = client.get("/deployments/name/nightly/nightly").json()
        assert nightly["enforce_parameter_schema"] is True
        assert nightly["work_pool_name"] == "pokewatch"
        assert {"pokewatch", "nightly"} <= set(nightly["tags"])
        assert nightly["global_concurrency_limit"]["limit"] == 1
        (schedule,) = nightly["schedules"]
        assert schedule["active"] is True
        assert schedule["schedule"] == {"cron": "0 3 * * *", "timezone": SCHEDULE_ZONE, "day_or": True}
        # the project directory is recorded at deploy time: a worker needs no POKEWATCH_PROJECT_DIR
        (pull,) = nightly["pull_steps"]
        assert pull["pokewatch.deploy_steps.set_project_directory"]["recorded"].strip() == str(PROJECT_DIR)
        assert set(nightly["parameter_openapi_schema"]["properties"]) == {
            "as_of", "skip_collect", "demo", "source", "profiles", "min_gain_dollars", "horizons"}
        # the source is a choice in the UI's run form, and a source that does not exist is refused
        assert nightly["parameter_openapi_schema"]["properties"]["source"]["enum"] == [
            "tcgcsv", "pokemonpricetracker", "pokemontcg"]
        # and every optional parameter has its own type in the form, not a blank "Property is type None"
        assert all("anyOf" not in p for p in nightly["parameter_openapi_schema"]["properties"].values())
        assert nightly["parameters"] == {"skip_collect": False, "demo": False, "source": "tcgcsv"}
        for manual in ("train", "score"):
            d = client.get(f"/deployments/name/{manual}/{manual}").json()
            assert d["schedules"] == [] and d["enforce_parameter_schema"] is True
        if (PROJECT_DIR / "flows" / "backfill.py").exists():
            backfill = client.get("/deployments/name/backfill/backfill").json()
            assert backfill["global_concurrency_limit"]["limit"] == 1 and backfill["schedules"] == []

    # The schedule as `pokewatch schedule` will show it: 03:00 in the variable's zone, from the real API.
    # The server's scheduler creates the runs in its own loop: ask again until it has (a busy machine is slow).
    deadline = time.monotonic() + 180
    while True:
        listed = subprocess.run(
            [sys.executable, "-c", "import json; from pokewatch.schedule import next_runs; "
                                   "print(json.dumps(next_runs(3), default=str))"],
            env=env, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120)
        assert listed.returncode == 0, listed.stderr[-3000:]
        upcoming = json.loads(listed.stdout.strip().splitlines()[-1])
        if upcoming or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert upcoming and all(r["deployment"] == "nightly/nightly" and r["state"] == "Scheduled" for r in upcoming)
    local = [dt.datetime.fromisoformat(r["scheduled"]).astimezone(ZoneInfo(SCHEDULE_ZONE)) for r in upcoming]
    assert all((t.hour, t.minute) == (3, 0) for t in local) and local == sorted(local)

    # A wrong parameter type is refused when the run is created (enforce_parameter_schema).
    refused = _prefect(["deployment", "run", "nightly/nightly", "--param", "skip_collect=\"sometimes\""], env,
                       check=False)
    assert refused.returncode != 0
    unknown = _prefect(["deployment", "run", "nightly/nightly", "--param", "source=\"ebay\""], env, check=False)
    assert unknown.returncode != 0

    # The run: the worker's environment (POKEWATCH_*) reaches the flow-run subprocess; the worker runs in another
    # directory without POKEWATCH_PROJECT_DIR (the pull step finds the directory recorded at deploy time).
    home = tmp_path / "pokewatch-home"
    run_env = {**env, "POKEWATCH_DATABASE_URL": database_url, "POKEWATCH_HOME": str(home)}
    started = time.perf_counter()
    triggered = _prefect(["deployment", "run", "nightly/nightly", "--param", "demo=true"], run_env)
    flow_run_id = UUID_RE.search(triggered.stdout).group(1)
    worker = subprocess.run([PREFECT, "worker", "start", "--pool", "pokewatch", "--run-once"], env=run_env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=900)
    with httpx.Client(base_url=api, timeout=30) as client:
        run = client.get(f"/flow_runs/{flow_run_id}").json()
        deadline = time.monotonic() + 60
        while run["state_type"] not in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") and time.monotonic() < deadline:
            time.sleep(1)
            run = client.get(f"/flow_runs/{flow_run_id}").json()
    elapsed = time.perf_counter() - started
    assert run["state_type"] == "COMPLETED", (
        f"flow run {run['state_type']}: {run['state']}\n{worker.stdout[-6000:]}\n{worker.stderr[-6000:]}")
    assert run["parameters"]["demo"] is True
    print(f"\n`prefect deployment run` -> COMPLETED: {elapsed:.1f} s wall clock "
          f"(flow run itself {run['total_run_time']:.1f} s) on the demo sample")
    (tmp_path.parent / "deploy-timing.txt").write_text(f"{elapsed:.1f} {run['total_run_time']:.1f}\n")

    url = make_url(database_url)
    with psycopg.connect(db.libpq_conninfo(url)) as conn:
        signals = conn.execute("select count(*) from pokewatch.signals").fetchone()[0]
        runs = conn.execute("select status, flow_run_id::text from pokewatch.runs").fetchall()
    assert signals > 0
    assert ("succeeded", flow_run_id) in [(s, str(f)) for s, f in runs]
