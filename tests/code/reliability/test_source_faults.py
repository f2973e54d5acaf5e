"""Source faults on a real loopback server: each ends in a retry that succeeds or a clear failure naming the
source; a failed day publishes nothing (every warehouse table unchanged); a rerun completes the day."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pandas as pd
import pytest

from pokewatch import db
from pokewatch.collect import collect, import_history
from pokewatch.sources.base import SourceError
from tests.conftest import HISTORY_PARQUET
from tests.support.mirror import Mirror, tcgcsv_mirror

from .conftest import snapshot

DAY = dt.date(2025, 10, 26)
EARLIER = dt.date(2025, 10, 25)
FEW_GROUPS = [604, 23237, 1728, 1406]
PRICES = "/tcgplayer/3/23237/prices"


class DripMirror(Mirror):
    """The tcgcsv mirror plus one fault the shared mirror lacks: a body trickled a few bytes at a time, each
    piece well inside the read timeout (so only a deadline on the whole request can end it)."""

    def __init__(self) -> None:
        super().__init__()
        self.drips: dict[str, int] = {}

    def drip(self, path: str, times: int = 1) -> None:
        self.drips[path] = times

    def _serve(self, req) -> None:
        path = req.path.split("?")[0]
        if self.drips.get(path, 0) > 0:
            self.drips[path] -= 1
            with self._lock:
                self.requests.append((path, {}))
            body = self.routes[path][2]
            try:
                req.send_response(200)
                req.send_header("Content-Type", "application/json")
                req.send_header("Content-Length", str(len(body)))
                req.end_headers()
                for i in range(0, len(body), 16):
                    req.wfile.write(body[i : i + 16])
                    req.wfile.flush()
                    time.sleep(0.2)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        super()._serve(req)


@pytest.fixture
def mirror(tcgcsv_data):
    """The four-set tcgcsv mirror of 2025-10-26 (real bodies) that can also drip."""
    base = tcgcsv_mirror(tcgcsv_data, groups=FEW_GROUPS)
    server = DripMirror()
    server.routes = base.routes
    with server:
        yield server


@pytest.fixture
def landed_before(fast, mirror, tmp_path):
    """A warehouse that already holds an earlier day (those sets' real prices of that day, imported from the
    catalogue's history: a live source serves only its current day): the state to keep."""
    history = pd.read_parquet(HISTORY_PARQUET)
    earlier = history[(history["date"].astype(str) == str(EARLIER)) & history["groupId"].isin(FEW_GROUPS)]
    earlier.to_parquet(tmp_path / "earlier.parquet")
    assert import_history(fast, tmp_path / "earlier.parquet").rows == len(earlier) > 0
    mirror.requests.clear()
    return snapshot(fast)


# (path, fault, options, retried to success?)
FAULTS = [
    ("429-retry-after", "/tcgplayer/3/groups", "status", {"status": 429, "headers": {"Retry-After": "1"}}, True),
    ("500-once", PRICES, "status", {"status": 500}, True),
    ("503-throughout", PRICES, "status", {"status": 503, "times": None}, False),
    ("timeout-once", PRICES, "slow", {"seconds": 2.5}, True),
    ("timeout-throughout", PRICES, "slow", {"seconds": 2.5, "times": None}, False),
    ("reset-once", PRICES, "reset", {}, True),
    ("reset-throughout", PRICES, "reset", {"times": None}, False),
    ("truncated-json", PRICES, "truncate", {}, False),
    ("wrong-shape", "/tcgplayer/3/23237/products", "wrong_shape", {}, False),
    ("empty-body", "/tcgplayer/3/groups", "empty", {}, False),
    ("401", "/tcgplayer/3/groups", "status", {"status": 401, "times": None}, False),
    ("404", PRICES, "status", {"status": 404}, False),
    ("redirect-loop", "/last-updated.txt", "redirect_loop", {"times": None}, False),
]


@pytest.mark.parametrize(("path", "kind", "kw", "recovers"), [f[1:] for f in FAULTS], ids=[f[0] for f in FAULTS])
def test_a_fault_retries_to_success_or_fails_naming_the_source_and_publishes_nothing(
        fast, mirror, landed_before, path, kind, kw, recovers):
    fast = fast.model_copy(update={"http_timeout_seconds": 2.0, "http_max_retry_seconds": 8})
    mirror.fail(path, kind, **kw)
    if recovers:
        landed = collect(fast, DAY, base_url=mirror.url)
        assert landed.rows > 0 and mirror.hits(path) >= 2  # the fault was met, then retried
        with db.connect(fast) as conn:
            assert conn.execute("select count(*) from pokewatch.landings where as_of = %s", (DAY,)).fetchone()[0] == 1
        return
    with pytest.raises(SourceError) as caught:
        collect(fast, DAY, base_url=mirror.url)
    message = str(caught.value)
    assert "tcgcsv" in message, message
    assert "Traceback" not in message and len(message) < 600
    assert snapshot(fast) == landed_before  # no partial day: prices, landings, cards, sets untouched
    mirror.clear_faults()
    done = collect(fast, DAY, base_url=mirror.url)  # the rerun completes the day
    assert done.rows > 0
    with db.connect(fast) as conn:
        assert conn.execute("select rows from pokewatch.landings where as_of = %s", (DAY,)).fetchone()[0] == done.rows
        assert conn.execute("select count(*) from pokewatch.prices where as_of = %s", (DAY,)).fetchone()[0] == done.rows


def test_a_429_waits_as_long_as_retry_after_says(fast, mirror):
    fast = fast.model_copy(update={"http_max_retry_seconds": 8})
    mirror.fail("/tcgplayer/3/groups", "status", status=429, headers={"Retry-After": "2"})
    started = time.monotonic()
    landed = collect(fast, DAY, base_url=mirror.url)
    assert landed.rows > 0 and mirror.hits("/tcgplayer/3/groups") == 2
    assert time.monotonic() - started >= 2.0  # a lower bound only: never assert an upper wall time


def test_a_slow_drip_is_cut_off_by_a_deadline_and_named(fast, mirror, landed_before):
    """A server that answers a few bytes every 0.2 s never trips a 2 s read timeout; the request must still end."""
    fast = fast.model_copy(update={"http_timeout_seconds": 2.0, "http_max_retry_seconds": 6, "http_max_attempts": 2})
    mirror.drip(PRICES, times=10)
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = collect(fast, DAY, base_url=mirror.url)
        except Exception as exc:  # noqa: BLE001 - the outcome is inspected below
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=120)  # the body of this set takes many minutes at this pace
    assert not worker.is_alive(), "a slow-drip answer kept collection hanging past every timeout"
    assert isinstance(outcome.get("error"), SourceError), outcome
    assert "tcgcsv" in str(outcome["error"]) and "23237" in str(outcome["error"])
    assert snapshot(fast) == landed_before
    mirror.drips.clear()
    assert collect(fast, DAY, base_url=mirror.url).rows > 0
