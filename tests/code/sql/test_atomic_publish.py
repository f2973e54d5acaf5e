"""Publication is atomic for readers: a day's signals are seen whole or not at all, even when the writer dies.

The signals are the full real catalogue of 2025-10-26 (≈ 42k priced series from the shared tcgcsv history).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import psycopg
import pytest
from sqlalchemy.engine import make_url

from pokewatch import db
from pokewatch.publish import publish_signals
from pokewatch.settings import PROJECT_DIR
from tests.code.sql.catalogue import DAY, catalogue_signals
from tests.conftest import HISTORY_PARQUET

pytestmark = pytest.mark.slow

COUNT_SQL = "select count(*), count(distinct run_id) from pokewatch.signals where as_of = %s"
APP_NAME = "pokewatch_killed_publisher"


@pytest.fixture(scope="module")
def catalogue(shared_dir):
    return catalogue_signals(HISTORY_PARQUET)


def reader_session(settings) -> psycopg.Connection:
    url = make_url(settings.database_url.get_secret_value())
    return psycopg.connect(db.libpq_conninfo(url), autocommit=True)


def test_readers_see_no_rows_or_one_whole_run_while_a_run_publishes_again_and_again(settings, catalogue):
    full = len(catalogue)
    assert full > 40_000
    observations: list[tuple[int, int]] = []
    stop = threading.Event()

    def read_in_a_loop():
        with reader_session(settings) as conn:
            while not stop.is_set():
                observations.append(conn.execute(COUNT_SQL, (DAY,)).fetchone())

    reader = threading.Thread(target=read_in_a_loop)
    reader.start()
    try:
        time.sleep(0.2)  # some observations of the empty day first
        runs = []
        for _ in range(4):
            run_id = uuid.uuid4()
            runs.append(str(run_id))
            with db.connect(settings) as conn:
                assert publish_signals(conn, catalogue.assign(run_id=str(run_id)), DAY, 1) == full
        time.sleep(0.2)
    finally:
        stop.set()
        reader.join(timeout=60)
    seen = set(observations)
    assert seen <= {(0, 0), (full, 1)}, f"a reader saw a partial or mixed set: {seen - {(0, 0), (full, 1)}}"
    assert (0, 0) in seen and (full, 1) in seen
    assert len(observations) > 20
    with reader_session(settings) as conn:
        assert conn.execute("select count(*), min(run_id::text) from pokewatch.signals where as_of = %s",
                            (DAY,)).fetchone() == (full, runs[-1])


PUBLISHER = textwrap.dedent("""
    import sys, time, uuid
    from pathlib import Path

    import psycopg

    from pokewatch import db
    from pokewatch.publish import publish_signals
    from pokewatch.settings import Settings
    from tests.code.sql.catalogue import DAY, catalogue_signals

    url, history, home, phase = sys.argv[1:5]
    frame = catalogue_signals(Path(history), run_id=uuid.uuid4(), copies=5)  # ≈ 210k rows

    # Slow the COPY down (small chunks, a pause before each) so the test can kill us in the middle of it.
    db.COPY_CHUNK_ROWS = 2_000
    write = psycopg.Copy.write
    def slow_write(self, buffer):
        time.sleep(0.05)
        return write(self, buffer)
    psycopg.Copy.write = slow_write

    with db.connect(Settings(home=Path(home), database_url=url)) as conn:
        conn.execute("set application_name = '%s'")
        print("rows", len(frame), flush=True)
        publish_signals(conn, frame, DAY, 1)
        print("published, not committed", flush=True)
        time.sleep(600)  # phase 'before_commit': killed here, inside the open transaction
""" % APP_NAME)


def activity(conn: psycopg.Connection) -> tuple[int, str, str] | None:
    return conn.execute(
        "select pid, state, query from pg_stat_activity where application_name = %s and datname = current_database()",
        (APP_NAME,)).fetchone()


@pytest.mark.parametrize("phase", ["copy", "before_commit"])
def test_a_publisher_killed_mid_write_leaves_the_previous_set_intact(settings, catalogue, tmp_path, phase):
    previous = str(uuid.uuid4())
    with db.connect(settings) as conn:
        publish_signals(conn, catalogue.assign(run_id=previous), DAY, 1)
    full = len(catalogue)

    process = subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, settings.database_url.get_secret_value(), str(HISTORY_PARQUET),
         str(tmp_path / "publisher"), phase],
        cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
    )
    try:
        with reader_session(settings) as watcher:
            deadline = time.monotonic() + 180
            seen = None
            while time.monotonic() < deadline and process.poll() is None:
                seen = activity(watcher)
                if phase == "copy" and seen and seen[1] == "active" and seen[2].lstrip().lower().startswith(
                        "copy pokewatch.signals"):
                    time.sleep(0.5)  # well into the COPY
                    seen = activity(watcher)
                    break
                if phase == "before_commit" and seen and seen[1] == "idle in transaction" and (
                        any(q in seen[2].lower() for q in ("copy pokewatch.signals", "release"))):
                    break
                time.sleep(0.02)
            else:
                pytest.fail(f"the publisher never reached the {phase} phase: {process.communicate()[1][-2000:]}")
            if phase == "copy":
                assert seen[1] == "active" and seen[2].lstrip().lower().startswith("copy pokewatch.signals"), seen
            else:
                # the new set is written in the open transaction; readers still see only the previous one
                assert watcher.execute(COUNT_SQL, (DAY,)).fetchone() == (full, 1)
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
            assert process.returncode == -signal.SIGKILL

            gone = time.monotonic() + 30  # the server notices the dead client and rolls its transaction back
            while activity(watcher) is not None and time.monotonic() < gone:
                time.sleep(0.05)
            assert activity(watcher) is None
            assert watcher.execute(COUNT_SQL, (DAY,)).fetchone() == (full, 1)
            assert watcher.execute("select min(run_id::text), count(*) from pokewatch.signals").fetchone() == (
                previous, full)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
