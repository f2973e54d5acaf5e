"""The `runs` table: one row per nightly run, its stages' rows and seconds, its outcome and error."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
import uuid
from collections.abc import Iterator

import psycopg

from pokewatch import db
from pokewatch.errors import describe
from pokewatch.masking import mask_secrets
from pokewatch.settings import Settings


def start_run(conn: psycopg.Connection, as_of: dt.date | None, flow_run_id: str | None = None) -> uuid.UUID:
    """A new 'running' row. The caller holds the writer lock, so any other 'running' row belongs to a process that
    ended without finishing (killed, lost its machine): it is marked 'abandoned', with when and by which run."""
    run_id = uuid.uuid4()
    conn.execute(
        "update pokewatch.runs set status = 'abandoned', finished_at = now(), "
        "error = coalesce(error || '; ', '') || 'abandoned: its process ended without finishing (found by run ' "
        "|| %s || ' at ' || to_char(now(), 'YYYY-MM-DD HH24:MI:SS TZ') || ')' where status = 'running'",
        (str(run_id),))
    conn.execute(
        "insert into pokewatch.runs (run_id, flow_run_id, as_of, status) values (%s, %s, %s, 'running')",
        (run_id, flow_run_id, as_of),
    )
    return run_id


STAGE_COLUMNS = {"collect", "validate", "grade", "train", "score", "publish", "alerts", "drift"}


def record_stage(conn: psycopg.Connection, run_id: uuid.UUID, stage: str, rows: int | None, seconds: float) -> None:
    if stage not in STAGE_COLUMNS:
        raise ValueError(f"unknown stage {stage!r}")
    conn.execute(
        f"update pokewatch.runs set {stage}_rows = %s, {stage}_seconds = %s where run_id = %s",
        (rows, seconds, run_id),
    )


def finish_run(conn: psycopg.Connection, run_id: uuid.UUID, status: str, *, model_version: int | None = None,
               decision: str | None = None, error: str | None = None, warning: str | None = None) -> None:
    conn.execute(
        """
        update pokewatch.runs
        set status = %s, finished_at = now(), error = %s, warning = %s,
            model_version = coalesce(%s, model_version), decision = coalesce(%s, decision)
        where run_id = %s
        """,
        (status, error, warning or None, model_version, decision, run_id),
    )


class RunLog:
    """Writes each step of a run as it happens (own short transactions), so a failed run still says why."""

    def __init__(self, settings: Settings, as_of: dt.date | None, flow_run_id: str | None = None,
                 lock: psycopg.Connection | None = None):
        self.settings = settings
        self.as_of = as_of
        self.lock = lock  # the connection holding the writer lock: re-checked before every stage
        with db.connect(settings) as conn:
            self.run_id: uuid.UUID = start_run(conn, as_of, flow_run_id)
        self.stages: dict[str, dict] = {}

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[dict]:
        """Time a stage; the caller sets out['rows']. Recorded even when the stage fails."""
        if self.lock is not None:
            db.check_writer_lock(self.lock, "the nightly run", f"its {name} stage")
        out: dict = {"rows": None}
        started = time.perf_counter()
        try:
            yield out
        finally:
            out["seconds"] = round(time.perf_counter() - started, 3)
            self.stages[name] = out
            with db.connect(self.settings) as conn:
                record_stage(conn, self.run_id, name, out["rows"], out["seconds"])

    def set_day(self, as_of: dt.date) -> None:
        """The day the run is for, once the source has said which it serves."""
        self.as_of = as_of
        with db.connect(self.settings) as conn:
            conn.execute("update pokewatch.runs set as_of = %s where run_id = %s", (as_of, self.run_id))

    def finish(self, status: str, *, model_version: int | None = None, decision: str | None = None,
               error: BaseException | str | None = None, warning: str | None = None) -> None:
        text = None if error is None else mask_secrets(error) if isinstance(error, str) else describe(error)
        with db.connect(self.settings) as conn:
            finish_run(conn, self.run_id, status, model_version=model_version, decision=decision, error=text,
                       warning=warning)

    def record_publish(self, scored) -> None:
        """Publication happens inside scoring; its own rows and seconds get their own columns."""
        self.stages["publish"] = {"rows": scored.rows, "seconds": round(scored.publish_seconds, 3)}
        with db.connect(self.settings) as conn:
            record_stage(conn, self.run_id, "publish", scored.rows, scored.publish_seconds)
            conn.execute("update pokewatch.runs set unpriced_series = %s where run_id = %s",
                         (scored.unpriced, self.run_id))
