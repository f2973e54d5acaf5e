"""Shared fixtures for the reliability suite: private copies of the session's landed and trained demo warehouses
(tests/support/templates.py); the loopback tcgcsv mirror; helpers to run real processes. The session's Prefect
API (`prefect_server`) comes from tests/support/prefect.py.

Everything here reuses the project's own fixtures and helpers (tests/conftest.py, tests/support/mirror.py,
tests/code/integration/conftest.py) instead of copying them.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import psycopg
import pytest
from sqlalchemy.engine import make_url

from pokewatch import db
from pokewatch.settings import PROJECT_DIR, Settings
from tests.code.integration.conftest import english, fast, small_tcgcsv_mirror  # noqa: F401  (re-exported fixtures)
from tests.support.templates import clone_database, copy_of, drop_database, url_for
from tests.support.warehouse import NO_SKILL_GATE

DAY = dt.date(2025, 10, 26)  # the demo sample's last day
FAKE_PPT_KEY = "ppt-FAKE-KEY-7f3a9c1e55d24b0c"
FAKE_TCG_KEY = "tcg-FAKE-KEY-0b8e2d4c9a6f4471"
DB_PASSWORD = "Db-Passw0rd-5e1c7a93"


@pytest.fixture
def demo_settings(server_url, demo_template, tmp_path, monkeypatch) -> Settings:
    """A private copy of the landed demo warehouse (no model yet)."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    name = clone_database(server_url, demo_template)
    yield Settings(home=tmp_path / "home", database_url=url_for(server_url, name), **NO_SKILL_GATE).prepare()
    drop_database(server_url, name)


@pytest.fixture
def trained_settings(server_url, trained_template, tmp_path, monkeypatch) -> Settings:
    """A private copy of the trained demo warehouse and of its MLflow store (a champion, the day's signals)."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    name, settings = copy_of(server_url, trained_template.database, trained_template.home, tmp_path, **NO_SKILL_GATE)
    yield settings
    drop_database(server_url, name)


def champion(settings: Settings) -> int | None:
    """The MLflow champion alias, read straight from the registry."""
    from mlflow.exceptions import MlflowException

    from pokewatch import registry

    client = registry.mlflow_client(settings)
    try:
        return int(client.get_model_version_by_alias(settings.model_name, registry.CHAMPION).version)
    except MlflowException:
        return None


def snapshot(settings: Settings) -> dict:
    """What a reader can see: every table's row count and a checksum of its content (order independent)."""
    tables = ["sets", "cards", "prices", "landings", "signals", "quarantine", "model_metrics"]
    out = {}
    with db.connect(settings) as conn:
        for table in tables:
            out[table] = conn.execute(
                f"select count(*), coalesce(sum(hashtext(t::text)::bigint), 0) from pokewatch.{table} t"
            ).fetchone()
    return out


def closed_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli_env(settings: Settings | None = None, **extra: str) -> dict[str, str]:
    """The environment of a real `pokewatch` process: this test's database and home, nothing inherited that
    points elsewhere."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("POKEWATCH_", "MLFLOW_", "PREFECT_")) and k not in ("POKEMON_PRICE_API_KEY",
                                                                                 "POKEMONTCG_API_KEY")}
    env["POKEWATCH_HORIZONS"] = os.environ.get("POKEWATCH_HORIZONS", "7")  # the suite's one horizon (conftest)
    env["PYTHONPATH"] = str(PROJECT_DIR)
    if settings is not None:
        env["POKEWATCH_DATABASE_URL"] = settings.database_url.get_secret_value()
        env["POKEWATCH_HOME"] = str(settings.home)
    env.update(extra)
    return env


def pokewatch_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "pokewatch.cli", *args]


def run_cli(*args: str, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(pokewatch_cmd(*args), cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
                          timeout=timeout)


def with_password(url: str, password: str, user: str | None = None) -> str:
    u = make_url(url).set(password=password)
    if user:
        u = u.set(username=user)
    return u.render_as_string(hide_password=False)


def activity(conn: psycopg.Connection, datname: str, like: str) -> list[tuple]:
    return conn.execute(
        "select pid, state, query from pg_stat_activity where datname = %s and pid <> pg_backend_pid() "
        "and query ilike %s", (datname, like)).fetchall()
