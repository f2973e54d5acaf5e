"""Fixtures for the BI tests: Apache Superset, in a virtual environment of its own (bi/superset/install.sh, never a
project dependency), started once per module (stopped after it) on loopback with the PokeWatch dashboard loaded
(bi/superset/load.py) over a copy of the session's demo nightly warehouse, connected as the read-only
`pokewatch_reader`. Headless Debian Chromium (/usr/bin/chromium) renders it through bi/superset/browse.py, run by
the Superset venv's python (Playwright lives there, not in the project).

The warehouse is the demo nightly's (its last day scored; on the sample no model beats the last price yet, so all
HOLD and top_opportunities is empty) plus the week before scored and graded through the last day, as the nightly's
score and grade stages do: the track record views get live rows.

Superset's metadata database is migrated once per venv and Superset version
(`<venv>/pokewatch-superset-metadata-<version>.db`, 25-60 s) and copied for each run, which gets its own
SECRET_KEY, admin password and reader password.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from pokewatch import db, roles, scoring, track_record
from pokewatch.settings import PROJECT_DIR, Settings
from tests.support.templates import DAY, clone_database, copy_home, drop_database, url_for

BI = PROJECT_DIR / "bi" / "superset"
CHROMIUM = Path(os.environ.get("POKEWATCH_CHROMIUM", "/usr/bin/chromium"))


@dataclass
class Superset:
    url: str
    python: Path  # the Superset venv's python
    env: dict  # what load.py and browse.py need (config path, home, secret key, admin password)
    admin_password: str
    warehouse: Settings  # the warehouse copy, as its owner
    reader_password: str
    home: Path
    timings: dict = field(default_factory=dict)

    def browse(self, screenshot: Path | None = None, timeout: float = 120) -> dict:
        """The dashboard rendered in headless Chromium: bi/superset/browse.py's report."""
        args = [str(self.python), str(BI / "browse.py"), "--url", self.url, "--dashboard", "pokewatch",
                "--timeout", str(timeout)]
        if screenshot:
            args += ["--screenshot", str(screenshot)]
        done = subprocess.run(args, env=self.env, capture_output=True, text=True, timeout=timeout + 120, check=False)
        assert done.returncode == 0, f"browse.py failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
        return json.loads(done.stdout)

    def reader(self) -> psycopg.Connection:
        """A session logged in as pokewatch_reader, as Superset's connection is."""
        url = make_url(self.warehouse.database_url.get_secret_value()).set(
            username=roles.READER, password=self.reader_password)
        return psycopg.connect(db.libpq_conninfo(url), autocommit=True)

    def owner(self) -> psycopg.Connection:
        return db.connect(self.warehouse, autocommit=True)


@contextlib.contextmanager
def timed(timings: dict, phase: str):
    started = time.monotonic()
    yield
    timings[phase] = round(time.monotonic() - started, 1)


def _run(args: list, env: dict, timeout: float) -> str:
    done = subprocess.run([str(a) for a in args], env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"{' '.join(map(str, args))} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return done.stdout


def _die_with_parent() -> None:
    """In the child: SIGTERM when the test process dies, even by SIGKILL (Linux PR_SET_PDEATHSIG)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def grade_a_week(settings: Settings) -> None:
    """Score the week before the demo's last day and grade it through that day (the nightly's score and grade)."""
    scoring.score(settings, scoring.request(settings, DAY - dt.timedelta(days=7), uuid.uuid4()))
    with db.connect(settings) as conn:
        graded = track_record.grade(conn, DAY, "tcgcsv")
    assert graded.graded > 0, graded


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def superset_python(tmp_path_factory) -> Path:
    """The Superset venv's python (bi/superset/install.sh: reused when it is there, ~30 s on a fresh machine)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium chromium-driver (Debian's, no download)")
    out = _run(["bash", BI / "install.sh"], dict(os.environ), timeout=900)
    python = Path(out.strip().splitlines()[-1])
    assert python.exists(), out
    return python


@pytest.fixture(scope="module")
def superset(superset_python, demo_nightly, server_url, tmp_path_factory) -> Superset:
    """Superset on 127.0.0.1 with the dashboard loaded, over a copy of the demo nightly's warehouse."""
    timings: dict = {}
    base = tmp_path_factory.mktemp("superset")
    home = base / "home"
    home.mkdir()
    admin_password, reader_password = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    env = {**os.environ,
           "SUPERSET_CONFIG_PATH": str(BI / "superset_config.py"),
           "POKEWATCH_SUPERSET_HOME": str(home),
           "SUPERSET_SECRET_KEY": secrets.token_urlsafe(42),
           "SUPERSET_ADMIN_PASSWORD": admin_password,
           "PYTHONUNBUFFERED": "1"}

    # The warehouse: a private copy of the demo nightly's database, with PokeWatch's roles on it.
    name = clone_database(server_url, demo_nightly.database, "pokewatch_bi")
    server = None
    try:
        with pytest.MonkeyPatch.context() as mp, timed(timings, "warehouse"):
            mp.delenv("MLFLOW_TRACKING_URI", raising=False)
            warehouse = Settings(home=copy_home(demo_nightly.home, base / "pokewatch-home"),
                                 database_url=url_for(server_url, name))
            grade_a_week(warehouse)
        roles.create_roles(warehouse, secrets.token_urlsafe(16), reader_password)
        reader_url = make_url(url_for(server_url, name)).set(
            drivername="postgresql", username=roles.READER, password=reader_password)
        env["POKEWATCH_READER_URL"] = reader_url.render_as_string(hide_password=False)

        # Superset's metadata: migrated once per venv, copied per session.
        venv = superset_python.parent.parent
        (dist,) = venv.glob("lib/python*/site-packages/apache_superset-*.dist-info")
        template = venv / f"pokewatch-superset-metadata-{dist.name.removesuffix('.dist-info').split('-')[1]}.db"
        with timed(timings, "metadata"):
            if not template.exists():
                scratch = base / "template-home"
                _run([superset_python, BI / "load.py", "--init", "--no-import"],
                     {**env, "POKEWATCH_SUPERSET_HOME": str(scratch)}, timeout=600)
                shutil.copy(scratch / "superset.db", f"{template}.{os.getpid()}")
                os.replace(f"{template}.{os.getpid()}", template)
            shutil.copy(template, home / "superset.db")
        with timed(timings, "load"):
            _run([superset_python, BI / "load.py"], env, timeout=600)

        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        log = open(base / "superset.log", "w")  # noqa: SIM115 - the server writes to it until teardown
        with timed(timings, "start"):
            server = subprocess.Popen(
                [superset_python, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "8",
                 "--timeout", "120", "superset.app:create_app()"],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent)  # noqa: PLW1509
            deadline = time.monotonic() + 300
            while True:
                assert server.poll() is None, f"Superset exited:\n{(base / 'superset.log').read_text()[-5000:]}"
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                        break
                assert time.monotonic() < deadline, f"Superset not up:\n{(base / 'superset.log').read_text()[-5000:]}"
                time.sleep(0.5)
        yield Superset(url, superset_python, env, admin_password, warehouse, reader_password, home, timings)
    finally:
        if server is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        drop_database(server_url, name)


@pytest.fixture(scope="module")
def rendered(superset, tmp_path_factory) -> dict:
    """The dashboard as headless Chromium shows it, once per module; its screenshot in the report."""
    shot = tmp_path_factory.mktemp("dashboard") / "dashboard.png"
    with timed(superset.timings, "browse"):
        report = superset.browse(screenshot=shot)
    target = os.environ.get("POKEWATCH_DASHBOARD_PNG")  # e.g. docs/dashboard.png, to refresh the docs' picture
    if target:
        shutil.copy(shot, target)
    print(f"superset phases (s): {superset.timings}", file=sys.stderr)
    return report
