"""The `runs` table: one row per nightly run, its stages' rows and seconds, its outcome and error."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
import uuid
from collections.abc import Iterator

from pokewatch import db
from pokewatch.publish import finish_run, record_stage, start_run
from pokewatch.settings import Settings


class RunLog:
    """Writes each step of a run as it happens (own short transactions), so a failed run still says why."""

    def __init__(self, settings: Settings, as_of: dt.date, flow_run_id: str | None = None):
        self.settings = settings
        self.as_of = as_of
        with db.connect(settings) as conn:
            self.run_id: uuid.UUID = start_run(conn, as_of, flow_run_id)
        self.stages: dict[str, dict] = {}

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[dict]:
        """Time a stage; the caller sets out['rows']. Recorded even when the stage fails."""
        out: dict = {"rows": None}
        started = time.perf_counter()
        try:
            yield out
        finally:
            out["seconds"] = round(time.perf_counter() - started, 3)
            self.stages[name] = out
            with db.connect(self.settings) as conn:
                record_stage(conn, self.run_id, name, out["rows"], out["seconds"])

    def finish(self, status: str, *, model_version: int | None = None, decision: str | None = None,
               error: BaseException | str | None = None) -> None:
        text = None if error is None else (str(error) or type(error).__name__)
        with db.connect(self.settings) as conn:
            finish_run(conn, self.run_id, status, model_version=model_version, decision=decision, error=text)

    def record_publish(self, scored) -> None:
        """Publication happens inside scoring; its own rows and seconds get their own columns."""
        self.stages["publish"] = {"rows": scored.rows, "seconds": round(scored.publish_seconds, 3)}
        with db.connect(self.settings) as conn:
            record_stage(conn, self.run_id, "publish", scored.rows, scored.publish_seconds)
