"""Warehouses built once per session and copied per test (pytest plugin, registered in tests/conftest.py).

Landing the demo sample and training on it cost the most in the suite, so each is done once per run, whichever
xdist worker asks first (`built_once`: a file lock; the others load what it saved): `demo_template` holds the
landed sample, `trained_template` the same after one training (a champion) and one scoring. The run's templates
are dropped when the run ends (`drop_run_templates`, from tests/conftest.py in the controlling process). A test
that needs such a warehouse gets its own copy: `create database … template …` (PostgreSQL copies the files) plus
a copy of the PokeWatch home, whose MLflow SQLite store is rewritten to point at the copy (`copy_home`), so the
copy shares nothing with the template and can train, register and score as a fresh warehouse would.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import pickle
import shutil
import sqlite3
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from pokewatch import db
from pokewatch.settings import Settings
from tests.support.warehouse import NO_SKILL_GATE, ZERO_COSTS, without_fees

DAY = dt.date(2025, 10, 26)  # the demo sample's last day


def admin(url: str) -> psycopg.Connection:
    return psycopg.connect(db.libpq_conninfo(make_url(url).set(database="postgres")), autocommit=True)


def url_for(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def clone_database(server_url: str, template: str, prefix: str = "pokewatch_c", name: str | None = None) -> str:
    """A new database (`name`, else a fresh one under `prefix`) that starts as a copy of `template`; its name."""
    name = name or f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin(server_url) as conn:
        conn.execute(f"create database {name} template {template}")
    return name


def run_id() -> str:
    """One id per test run, shared by its xdist workers (set by tests/conftest.py before they start)."""
    return os.environ.setdefault("POKEWATCH_TEST_RUN", uuid.uuid4().hex[:10])


def run_folder() -> Path:
    return Path(tempfile.gettempdir()) / f"pokewatch-tests-{run_id()}"


def built_once(key: str, build):
    """`build(database name, folder)` once per run: the first worker to ask builds while holding a file lock, the
    others wait and load what it saved. The database is named after the run, so the run's end drops it."""
    folder = run_folder()
    folder.mkdir(exist_ok=True)
    with open(folder / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        saved = folder / f"{key}.pickle"
        if saved.exists():
            return pickle.loads(saved.read_bytes())
        (folder / key).mkdir()
        value = build(f"pokewatch_r{run_id()}_{key}", folder / key)
        saved.write_bytes(pickle.dumps(value))
        return value


def drop_run_templates(server_url: str) -> None:
    """Drop the run's templates and their folder (the controlling process, after every worker is done)."""
    if not run_folder().exists():
        return  # no template was built
    with admin(server_url) as conn:
        names = [r[0] for r in conn.execute("select datname from pg_database where datname like %s",
                                            (f"pokewatch_r{run_id()}_%",))]
        for name in names:
            conn.execute(f"drop database if exists {name} with (force)")
    shutil.rmtree(run_folder(), ignore_errors=True)


def drop_database(server_url: str, name: str) -> None:
    with admin(server_url) as conn:
        conn.execute(f"drop database if exists {name} with (force)")


def copy_home(source: Path, target: Path) -> Path:
    """Copy a PokeWatch home (MLflow store, Prefect, raw, data docs) to `target`.

    The MLflow SQLite store records absolute locations (experiment artifact root, run artifact URIs, model version
    sources): they are rewritten to the copy, so reading, logging and registering in the copy never touch the
    template's files. Checked: no text in the copied store still names the template's home.
    """
    source, target = Path(source).resolve(), Path(target).resolve()
    shutil.copytree(source, target)
    store = target / "mlflow" / "mlflow.db"
    if store.exists():
        old, new = str(source), str(target)
        conn = sqlite3.connect(store)
        try:
            tables = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")]
            for table in tables:
                columns = [r[1] for r in conn.execute(f'pragma table_info("{table}")')
                           if r[2].upper().startswith(("VARCHAR", "TEXT", "CHAR", "CLOB")) or r[2] == ""]
                for column in columns:
                    conn.execute(f'update "{table}" set "{column}" = replace("{column}", ?, ?) '
                                 f'where instr("{column}", ?) > 0', (old, new, old))
            conn.commit()
            conn.execute("vacuum")  # no stale page keeps the old text
        finally:
            conn.close()
        assert old.encode() not in store.read_bytes(), f"the copied MLflow store still names {old}"
    return target


@dataclass
class Trained:
    """A trained and scored demo warehouse: its database, its home, the training's result, the scoring's."""

    database: str
    home: Path
    result: object  # pokewatch.train.TrainResult
    scored: object  # pokewatch.scoring result


@pytest.fixture(scope="session")
def demo_template(server_url, template_database) -> str:
    """A database holding the shipped demo sample (36 days, 5 sets), landed once per run."""
    from pokewatch import demo

    def build(name: str, folder: Path) -> str:
        clone_database(server_url, template_database, name=name)
        demo.load_sample(Settings(home=folder / "home", database_url=url_for(server_url, name)).prepare())
        return name

    return built_once("demo", build)


@pytest.fixture(scope="session")
def trained_template(server_url, demo_template) -> Trained:
    """The demo warehouse after one training (a champion in MLflow) and one scoring of its last day (once per run).

    The demo's model does not beat "last price" (so the product would publish "no edge"); the tests that use this
    are about publication, the registry and what a trained model leaves behind, so the skill gate and the
    proven-edge gate are off (NO_SKILL_GATE) and the scoring is without fees (`without_fees`: every copy of this
    template has fee-free cost profiles, ZERO_COSTS)."""
    from pokewatch import scoring, train
    from pokewatch.signals import SignalRule

    def build(name: str, folder: Path) -> Trained:
        clone_database(server_url, demo_template, name=name)
        with mlflow_env_cleared():
            settings = Settings(home=folder / "home", database_url=url_for(server_url, name),
                                **NO_SKILL_GATE).prepare()
            result = train.train(settings, DAY)
            assert result.promoted, result.reason  # the first model becomes champion (skill gate off: mechanics)
            without_fees(settings)
            rule = SignalRule.from_settings(settings, **ZERO_COSTS)
            scored = scoring.score(settings, scoring.request(settings, DAY, uuid.uuid4(), rule))
        return Trained(name, settings.home_dir, result, scored)

    return built_once("trained", build)


@pytest.fixture(scope="session")
def challenged_template(server_url, trained_template) -> Trained:
    """A copy of `trained_template` after a second training that must beat the champion by 50 % (the same model
    cannot): a rejected challenger beside the champion. `result` is that rejected training (no new scoring)."""
    from pokewatch import train

    def build(name: str, folder: Path) -> Trained:
        clone_database(server_url, trained_template.database, name=name)
        home = copy_home(trained_template.home, folder / "home")
        with mlflow_env_cleared():
            settings = Settings(home=home, database_url=url_for(server_url, name), **NO_SKILL_GATE,
                                champion_margin=0.5).prepare()
            rejected = train.train(settings, DAY)
            assert not rejected.promoted, rejected.reason
        return Trained(name, settings.home_dir, rejected, trained_template.scored)

    return built_once("challenged", build)


@contextlib.contextmanager
def mlflow_env_cleared():
    """MLflow's set_tracking_uri exports MLFLOW_TRACKING_URI: drop what an earlier test left, and what training
    leaves, around a template's training."""
    old = os.environ.pop("MLFLOW_TRACKING_URI", None)
    try:
        yield
    finally:
        os.environ.pop("MLFLOW_TRACKING_URI", None)
        if old is not None:
            os.environ["MLFLOW_TRACKING_URI"] = old


def copy_of(server_url: str, database: str, home: Path, tmp_path: Path, **settings) -> tuple[str, Settings]:
    """A private copy of a template warehouse (database and home): (database name, its settings)."""
    name = clone_database(server_url, database)
    copied = copy_home(home, tmp_path / "home")
    return name, Settings(home=copied, database_url=url_for(server_url, name), **settings).prepare()


@pytest.fixture
def landed_settings(server_url, demo_template, tmp_path, monkeypatch) -> Settings:
    """Settings of a private copy of the landed demo warehouse (no model yet); the product's settings otherwise."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    name = clone_database(server_url, demo_template)
    yield Settings(home=tmp_path / "home", database_url=url_for(server_url, name)).prepare()
    drop_database(server_url, name)


@pytest.fixture
def challenged_copy(server_url, challenged_template, tmp_path, monkeypatch) -> Settings:
    """Settings of a private copy of `challenged_template` (a champion and a rejected challenger)."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    name, settings = copy_of(server_url, challenged_template.database, challenged_template.home, tmp_path)
    yield settings
    drop_database(server_url, name)


@pytest.fixture
def trained_copy(server_url, trained_template, tmp_path, monkeypatch) -> Settings:
    """Settings of a private copy of the trained demo warehouse and its MLflow store (a champion, the day's
    signals); the product's settings otherwise (the template was trained with NO_SKILL_GATE)."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    name, settings = copy_of(server_url, trained_template.database, trained_template.home, tmp_path)
    yield settings
    drop_database(server_url, name)
