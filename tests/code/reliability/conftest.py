"""Shared fixtures for the reliability suite: one landed (and one trained) demo warehouse per session, copied
per test through `create database … template`; the loopback tcgcsv mirror; helpers to run real processes.

Everything here reuses the project's own fixtures and helpers (tests/conftest.py, tests/support/mirror.py,
tests/code/integration/conftest.py) instead of copying them.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import uuid

import psycopg
import pytest
from sqlalchemy.engine import make_url

from pokewatch import db
from pokewatch.settings import PROJECT_DIR, Settings
from tests.code.integration.conftest import english, fast, small_tcgcsv_mirror, tcgcsv_data  # noqa: F401  (re-exported fixtures)
from tests.conftest import _admin
from tests.support.warehouse import NO_SKILL_GATE

DAY = dt.date(2025, 10, 26)  # the demo sample's last day
FAKE_PPT_KEY = "ppt-FAKE-KEY-7f3a9c1e55d24b0c"
FAKE_TCG_KEY = "tcg-FAKE-KEY-0b8e2d4c9a6f4471"
DB_PASSWORD = "Db-Passw0rd-5e1c7a93"


def _clone(server_url: str, template: str) -> str:
    name = f"pokewatch_r_{uuid.uuid4().hex[:12]}"
    with _admin(server_url) as conn:
        conn.execute(f"create database {name} template {template}")
    return name


def _drop(server_url: str, name: str) -> None:
    with _admin(server_url) as conn:
        conn.execute(f"drop database if exists {name} with (force)")


def url_for(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def demo_template(server_url, template_database, tmp_path_factory) -> str:
    """A database holding the shipped demo sample (36 days, 5 sets), landed once per session."""
    from pokewatch import demo

    name = _clone(server_url, template_database)
    settings = Settings(home=tmp_path_factory.mktemp("demo-home"), database_url=url_for(server_url, name)).prepare()
    demo.load_sample(settings)
    yield name
    _drop(server_url, name)


@pytest.fixture(scope="session")
def trained_template(server_url, demo_template, tmp_path_factory):
    """The demo warehouse after one training (a champion in MLflow) and one scoring: (database, mlflow dir).
    The demo's model does not beat "last price" (so the product would publish "no edge"); these tests are about
    publication and the registry, so the skill gate is off and costs are zero here."""
    from pokewatch import scoring, train
    from pokewatch.signals import SignalRule
    from tests.support.warehouse import ZERO_COSTS

    name = _clone(server_url, demo_template)
    home = tmp_path_factory.mktemp("trained-home")
    # MLflow's set_tracking_uri exports MLFLOW_TRACKING_URI: drop what an earlier test left before Settings reads it.
    old = os.environ.pop("MLFLOW_TRACKING_URI", None)
    settings = Settings(home=home, database_url=url_for(server_url, name), **NO_SKILL_GATE).prepare()
    try:
        result = train.train(settings, DAY)
        assert result.promoted, result.reason  # the first model becomes champion (skill gate off: mechanics only)
        rule = SignalRule.from_settings(settings, **ZERO_COSTS)
        scoring.score(settings, scoring.request(settings, DAY, uuid.uuid4(), rule))
    finally:
        if old is not None:
            os.environ["MLFLOW_TRACKING_URI"] = old
    yield name, home / "mlflow"
    _drop(server_url, name)


@pytest.fixture
def demo_settings(server_url, demo_template, tmp_path, monkeypatch) -> Settings:
    """A private copy of the landed demo warehouse (no model yet)."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    name = _clone(server_url, demo_template)
    yield Settings(home=tmp_path / "home", database_url=url_for(server_url, name), **NO_SKILL_GATE).prepare()
    _drop(server_url, name)


@pytest.fixture
def trained_settings(server_url, trained_template, tmp_path, monkeypatch) -> Settings:
    """A private copy of the trained demo warehouse and of its MLflow store (a champion, the day's signals)."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    template, mlflow_dir = trained_template
    name = _clone(server_url, template)
    home = tmp_path / "home"
    home.mkdir()
    shutil.copytree(mlflow_dir, home / "mlflow")
    yield Settings(home=home, database_url=url_for(server_url, name), **NO_SKILL_GATE).prepare()
    _drop(server_url, name)


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


@pytest.fixture(scope="session")
def prefect_server():
    """A real Prefect API for the session (prefect_test_harness); its URL, for subprocesses to share."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield PREFECT_API_URL.value()
