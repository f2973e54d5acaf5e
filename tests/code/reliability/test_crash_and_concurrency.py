"""Crash safety (SIGKILL a real process during import, training and publication), two nightly runs at once,
reruns, and a model trained on corrupted history: the warehouse and the champion hold their state."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid

import psycopg
import pytest
from sqlalchemy.engine import make_url

from pokewatch import db, scoring, train
from pokewatch.settings import PROJECT_DIR
from pokewatch.signals import SignalRule
from tests.conftest import HISTORY_PARQUET
from tests.support.warehouse import ZERO_COSTS

from .conftest import DAY, activity, champion, cli_env, pokewatch_cmd, run_cli, snapshot


def watcher(settings) -> psycopg.Connection:
    return psycopg.connect(db.libpq_conninfo(make_url(settings.database_url.get_secret_value())), autocommit=True)


def kill_when(process: subprocess.Popen, settings, like: str, after: float = 0.0, limit: float = 300) -> None:
    """SIGKILL the process once pg_stat_activity shows it running a statement matching `like`."""
    dbname = make_url(settings.database_url.get_secret_value()).database
    with watcher(settings) as conn:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and process.poll() is None:
            if activity(conn, dbname, like):
                time.sleep(after)
                break
            time.sleep(0.05)
        else:
            out, err = process.communicate(timeout=30)
            pytest.fail(f"never saw {like!r} before the process ended ({process.returncode}): {out[-1000:]} {err[-2000:]}")
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        gone = time.monotonic() + 60  # the server notices the dead client and rolls back
        while activity(conn, dbname, like) and time.monotonic() < gone:
            time.sleep(0.1)
        assert not activity(conn, dbname, like)
    assert process.returncode == -signal.SIGKILL


def signal_rows(settings):
    with db.connect(settings) as conn:
        return conn.execute(
            "select product_id, variant, as_of, model_version, market_price, fair_price, fair_low, fair_high, "
            "deviation_pct, signal, confidence, reason, profile from pokewatch.signals where as_of = %s "
            "order by 1, 2, 13",
            (DAY,)).fetchall()


def test_killed_import_leaves_nothing_and_the_rerun_lands_everything(settings, tmp_path):
    """`pokewatch import` of the real history's last ten days (430 k rows: the path the full 1.54 M rows take, at a
    quarter of the time), SIGKILLed during its COPY."""
    import pandas as pd

    history = pd.read_parquet(HISTORY_PARQUET)
    last_days = history[history["date"].isin(sorted(history["date"].unique())[-10:])]
    part = tmp_path / "history-10-days.parquet"
    last_days.to_parquet(part)
    rows = len(last_days)
    before = snapshot(settings)
    process = subprocess.Popen(pokewatch_cmd("import", str(part)), cwd=PROJECT_DIR, env=cli_env(settings),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    kill_when(process, settings, "copy %", after=0.2)
    assert snapshot(settings) == before  # not one row, landing, card or set
    done = subprocess.run(pokewatch_cmd("import", str(part)), cwd=PROJECT_DIR, env=cli_env(settings),
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    with db.connect(settings) as conn:
        assert conn.execute("select count(*), count(distinct as_of) from pokewatch.prices").fetchone() == (rows, 10)
        assert conn.execute("select count(*), sum(rows) from pokewatch.landings").fetchone() == (10, rows)


TRAINER = textwrap.dedent("""
    import datetime as dt, sys
    from pathlib import Path
    from pokewatch.settings import Settings
    from pokewatch import train
    s = Settings(home=Path(sys.argv[2]), database_url=sys.argv[1], min_skill=-1.0, require_proven_edge=False).prepare()
    print("training", flush=True)
    train.train(s, dt.date.fromisoformat(sys.argv[3]))
    print("trained", flush=True)
""")


def test_killed_training_keeps_the_champion_and_the_next_training_completes(trained_settings):
    s = trained_settings
    champ, before = champion(s), snapshot(s)
    process = subprocess.Popen([sys.executable, "-c", TRAINER, s.database_url.get_secret_value(), str(s.home),
                                str(DAY)], cwd=PROJECT_DIR, env=cli_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "training"
    time.sleep(6)  # well into loading history / fitting
    assert process.poll() is None, process.communicate()[1][-2000:]
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    assert champion(s) == champ
    assert snapshot(s) == before  # no model_metrics row, no signals change
    again = train.train(s, DAY)  # the next run completes
    assert again.version > champ
    assert champion(s) == (again.version if again.promoted else champ)


PUBLISHER = textwrap.dedent("""
    import datetime as dt, sys, time, uuid
    from pathlib import Path
    import psycopg
    from pokewatch import db, scoring
    from pokewatch.settings import Settings
    from pokewatch.signals import SignalRule
    from tests.support.warehouse import ZERO_COSTS
    db.COPY_CHUNK_ROWS = 20  # slow the COPY down so the test can kill it in the middle
    write = psycopg.Copy.write
    def slow_write(self, buffer):
        time.sleep(0.05)
        return write(self, buffer)
    psycopg.Copy.write = slow_write
    s = Settings(home=Path(sys.argv[2]), database_url=sys.argv[1], min_skill=-1.0, require_proven_edge=False).prepare()
    print("scoring", flush=True)
    r = scoring.score(s, scoring.request(s, dt.date.fromisoformat(sys.argv[3]), uuid.uuid4(), SignalRule.from_settings(s, **ZERO_COSTS)))
    print("published", r.rows, r.publish_seconds, flush=True)
""")


def test_killed_publication_keeps_the_previous_signals_and_the_rerun_publishes(trained_settings):
    s = trained_settings
    before, champ = signal_rows(s), champion(s)
    assert before
    process = subprocess.Popen([sys.executable, "-c", PUBLISHER, s.database_url.get_secret_value(), str(s.home),
                                str(DAY)], cwd=PROJECT_DIR, env=cli_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    kill_when(process, s, "copy %signals%", after=0.5)
    assert signal_rows(s) == before and champion(s) == champ
    scoring.score(s, scoring.request(s, DAY, uuid.uuid4(), SignalRule.from_settings(s, **ZERO_COSTS)))
    assert signal_rows(s) == before  # the completed rerun publishes the same set


def test_three_reruns_of_a_day_give_identical_signal_rows(trained_settings):
    s = trained_settings
    runs = []
    for _ in range(3):
        scoring.score(s, scoring.request(s, DAY, uuid.uuid4(), SignalRule.from_settings(s, **ZERO_COSTS)))
        runs.append(signal_rows(s))
        with db.connect(s) as conn:  # one run's rows for the day, never a mix or a double
            assert conn.execute("select count(distinct run_id), count(*) = count(distinct (product_id, variant, "
                                "model_version, profile)) from pokewatch.signals where as_of = %s",
                                (DAY,)).fetchone() == (1, True)
    assert runs[0] == runs[1] == runs[2] and len(runs[0]) > 1000


def test_two_nightly_runs_for_the_same_day_do_not_double_or_interleave(trained_settings, prefect_server):
    s = trained_settings
    env = cli_env(s, POKEWATCH_LOCK_TIMEOUT_SECONDS="3", PREFECT_API_URL=prefect_server)
    args = pokewatch_cmd("nightly", "--as-of", str(DAY), "--skip-collect")
    procs = [subprocess.Popen(args, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    outs = [p.communicate(timeout=900) for p in procs]
    codes = [p.returncode for p in procs]
    assert 0 in codes, outs
    for code, (out, err) in zip(codes, outs):
        if code != 0:  # the loser says why in its last words (Prefect logs the flow's failure before that)
            assert code == 1, err[-3000:]
            last = " ".join(err.strip().split("error:")[-1].split())
            assert last.startswith("another PokeWatch run is writing to the warehouse; nightly waited 3 s"), err[-3000:]
    with db.connect(s) as conn:
        per_version = conn.execute(
            "select model_version, count(*), count(distinct (product_id, variant, profile)), count(distinct run_id) "
            "from pokewatch.signals where as_of = %s group by 1", (DAY,)).fetchall()
        runs = conn.execute("select status, count(*) from pokewatch.runs group by 1").fetchall()
    for version, rows, series, run_ids in per_version:
        assert rows == series and run_ids == 1, per_version  # no doubled or interleaved rows
    assert dict(runs).get("succeeded", 0) == codes.count(0)


@pytest.mark.parametrize("corruption", ["held_out_times_50", "history_noise"])
def test_a_model_trained_on_corrupted_history_is_not_promoted_and_scoring_keeps_the_champion(
        trained_settings, corruption):
    s = trained_settings
    champ = champion(s)
    with db.connect(s) as conn:
        if corruption == "held_out_times_50":  # the days the challenger is judged on, ×50
            conn.execute("update pokewatch.prices set market = market * 50, low = low * 50, mid = mid * 50 "
                         "where as_of > %s::date - 14 and as_of < %s", (DAY, DAY))
        else:  # every past market multiplied by random noise between ×0.2 and ×5
            conn.execute("select setseed(0.42)")
            conn.execute("update pokewatch.prices set market = round((market * exp(ln(5) * (2 * random() - 1)))"
                         "::numeric, 2) where as_of < %s", (DAY,))
    result = train.train(s, DAY)
    assert not result.promoted, result.reason
    assert champion(s) == champ
    scored = scoring.score(s, scoring.request(s, DAY, uuid.uuid4(), SignalRule.from_settings(s, **ZERO_COSTS)))
    assert scored.model_version == champ
    with db.connect(s) as conn:
        assert conn.execute("select array_agg(distinct model_version) from pokewatch.signals where as_of = %s",
                            (DAY,)).fetchone()[0] == [champ]


def test_a_nightly_that_loses_the_writer_lock_stops_before_its_next_write(trained_settings, prefect_server):
    """Issue 17: the connection holding the writer lock is killed mid-run (another run could now take the lock);
    the run stops before its next stage with one line, writes no signal, and says so in its runs row."""
    s = trained_settings
    before = signal_rows(s)
    env = cli_env(s, PREFECT_API_URL=prefect_server)
    proc = subprocess.Popen(pokewatch_cmd("nightly", "--as-of", str(DAY), "--skip-collect"), cwd=PROJECT_DIR,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with watcher(s) as conn:
        deadline = time.monotonic() + 300
        holder = None
        while holder is None and time.monotonic() < deadline and proc.poll() is None:
            holder = conn.execute("select pid from pg_locks where locktype = 'advisory' and granted and objid = %s "
                                  "and database = (select oid from pg_database where datname = current_database())",
                                  (db.WRITER_LOCK_KEY,)).fetchone()
            time.sleep(0.05)
        assert holder is not None, proc.communicate(timeout=60)
        # wait (up to 10 s) until the backend has exited: without a timeout the call only sends the signal
        assert conn.execute("select pg_terminate_backend(%s, 10000)", (holder[0],)).fetchone()[0]
        # another writer could now take the lock at once: it is free
        assert conn.execute("select pg_try_advisory_lock(%s)", (db.WRITER_LOCK_KEY,)).fetchone()[0]
        conn.execute("select pg_advisory_unlock(%s)", (db.WRITER_LOCK_KEY,))
    out, err = proc.communicate(timeout=900)
    assert proc.returncode == 1, (out[-2000:], err[-3000:])
    last = " ".join(err.strip().split("error:")[-1].split())
    assert last.startswith("the nightly run lost the warehouse writer lock"), err[-3000:]
    assert "Traceback" not in err.split("error:")[-1]
    assert signal_rows(s) == before  # nothing published by the run that lost its lock
    with db.connect(s) as conn:
        status, error = conn.execute("select status, error from pokewatch.runs order by started_at desc limit 1"
                                     ).fetchone()
    assert status == "failed" and "lost the warehouse writer lock" in error


def test_a_truncated_champion_file_is_one_line_naming_the_version_and_the_way_back(trained_settings, prefect_server):
    """Issue 17: a champion whose model file was cut short (a full disk, a bad copy) printed a BadZipFile traceback."""
    s = trained_settings
    files = [p for p in (s.home_dir / "mlflow").rglob("*") if p.is_file() and p.suffix in (".skops", ".pkl")]
    assert files, "the trained template stores its model under the home's MLflow store"
    for path in files:
        path.write_bytes(path.read_bytes()[:200])
    before = signal_rows(s)
    done = run_cli("nightly", "--as-of", str(DAY), "--skip-collect", env=cli_env(s, PREFECT_API_URL=prefect_server),
                   timeout=900)
    last = " ".join(done.stderr.strip().split("error:")[-1].split())
    assert done.returncode == 1, done.stderr[-3000:]
    assert last.startswith(f"the model file of {s.model_name} version {champion(s)} cannot be read"), last
    assert "pokewatch model rollback" in last and "Traceback" not in done.stderr.split("error:")[-1]
    assert signal_rows(s) == before
