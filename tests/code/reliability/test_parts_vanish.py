"""Issue 17: parts that vanish or refuse in the middle of a run. The schema dropped while a nightly trains, an
MLflow store that is read-only, an MLflow server that is down at PokeWatch's default retries: each ends in one line
that names the part and what to do, and nothing is published."""

from __future__ import annotations

import subprocess
import time

from pokewatch import db
from pokewatch.settings import PROJECT_DIR

from .conftest import DAY, cli_env, closed_port, pokewatch_cmd, run_cli, snapshot
from .test_crash_and_concurrency import signal_rows, watcher


def last_error(stderr: str) -> str:
    assert "error:" in stderr, stderr[-3000:]
    last = stderr.strip().split("error:")[-1]
    assert "Traceback" not in last, stderr[-3000:]
    return " ".join(last.split())


def test_the_schema_dropped_during_a_nightly_is_one_line_that_says_how_to_rebuild(trained_settings, prefect_server):
    s = trained_settings
    proc = subprocess.Popen(pokewatch_cmd("nightly", "--as-of", str(DAY), "--skip-collect"), cwd=PROJECT_DIR,
                            env=cli_env(s, PREFECT_API_URL=prefect_server), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    with watcher(s) as conn:
        deadline = time.monotonic() + 600
        while proc.poll() is None and time.monotonic() < deadline:  # wait until it trains
            if conn.execute("select 1 from pokewatch.runs where status = 'running' and grade_seconds is not null"
                            ).fetchone():
                break
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()[1][-3000:]
        conn.execute("drop schema pokewatch cascade")
    out, err = proc.communicate(timeout=900)
    assert proc.returncode == 1, err[-3000:]
    assert last_error(err).startswith("the warehouse schema pokewatch is gone"), err[-3000:]
    assert "pokewatch init" in last_error(err)


def test_a_read_only_mlflow_store_is_one_line_naming_mlflow_and_nothing_is_published(trained_settings,
                                                                                     prefect_server):
    s = trained_settings
    before = signal_rows(s)
    store = s.home_dir / "mlflow" / "mlflow.db"
    read_only = f"sqlite:///file:{store}?mode=ro&uri=true"  # SQLite refuses every write: root cannot bypass it
    done = run_cli("nightly", "--as-of", str(DAY), "--skip-collect",
                   env=cli_env(s, PREFECT_API_URL=prefect_server, MLFLOW_TRACKING_URI=read_only), timeout=900)
    assert done.returncode == 1, done.stderr[-3000:]
    last = last_error(done.stderr)
    assert last.startswith("MLflow refused: ") and "readonly database" in last and "refuses writes" in last, last
    assert "autoflush" not in last and "PostgreSQL" not in last
    assert signal_rows(s) == before
    with db.connect(s) as conn:
        status, error = conn.execute("select status, error from pokewatch.runs order by started_at desc limit 1"
                                     ).fetchone()
    assert status == "failed" and error.startswith("MLflow refused: ") and "autoflush" not in error, error


def test_an_mlflow_server_that_is_down_at_the_default_retries_is_a_bounded_wait_and_one_line(trained_settings,
                                                                                             prefect_server):
    """No MLFLOW_HTTP_* variables: PokeWatch's own bound applies (MLflow's 7 retries with backoff took 299 s)."""
    s = trained_settings
    before = snapshot(s)
    done = run_cli("nightly", "--as-of", str(DAY), "--skip-collect", timeout=900,
                   env=cli_env(s, PREFECT_API_URL=prefect_server,
                               MLFLOW_TRACKING_URI=f"http://127.0.0.1:{closed_port()}"))
    assert done.returncode == 1, done.stderr[-3000:]
    last = last_error(done.stderr)
    assert last.startswith("MLflow refused: ") and "127.0.0.1" in last, last
    assert "gave up after 3 tries" in last and "MLFLOW_HTTP_REQUEST_MAX_RETRIES" in last, last
    assert snapshot(s) == before  # signals, prices, models: as before the run
    with db.connect(s) as conn:
        assert conn.execute("select status from pokewatch.runs order by started_at desc limit 1").fetchone() == (
            "failed",)
