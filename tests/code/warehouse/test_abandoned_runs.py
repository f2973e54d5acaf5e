"""A run killed mid-way leaves its row 'running'; the next run (holding the writer lock) marks it abandoned."""

import datetime as dt

from pokewatch import db
from pokewatch.runs import RunLog

DAY = dt.date(2025, 10, 26)


def test_the_next_run_marks_a_run_left_running_as_abandoned_and_leaves_finished_ones(settings, conn):
    killed = RunLog(settings, DAY)  # its process dies here: the row stays 'running'
    done = RunLog(settings, DAY)  # (it found `killed` running too)
    done.finish("succeeded")
    with db.connect(settings, autocommit=True) as lock, db.writer_lock(lock, 5, "nightly"):
        latest = RunLog(settings, DAY)
    rows = dict(conn.execute("select run_id, status from pokewatch.runs").fetchall())
    assert rows == {killed.run_id: "abandoned", done.run_id: "succeeded", latest.run_id: "running"}
    error, finished = conn.execute("select error, finished_at from pokewatch.runs where run_id = %s",
                                   (killed.run_id,)).fetchone()
    assert error.startswith(f"abandoned: its process ended without finishing (found by run {done.run_id} at ")
    assert finished is not None
