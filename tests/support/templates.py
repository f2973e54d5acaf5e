"""Warehouses built once per session and copied per test (pytest plugin, registered in tests/conftest.py).

Landing the demo sample and training on it cost the most in the suite, so each is done once: `demo_template` holds
the landed sample, `trained_template` the same after one training (a champion) and one scoring. A test that needs
such a warehouse gets its own copy: `create database … template …` (PostgreSQL copies the files) plus a copy of
the PokeWatch home, whose MLflow SQLite store is rewritten to point at the copy (`copy_home`), so the copy shares
nothing with the template and can train, register and score as a fresh warehouse would.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
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


def clone_database(server_url: str, template: str, prefix: str = "pokewatch_c") -> str:
    """A new database that starts as a copy of `template`; returns its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin(server_url) as conn:
        conn.execute(f"create database {name} template {template}")
    return name


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
def demo_template(server_url, template_database, tmp_path_factory) -> str:
    """A database holding the shipped demo sample (36 days, 5 sets), landed once per session."""
    from pokewatch import demo

    name = clone_database(server_url, template_database, "pokewatch_demo")
    settings = Settings(home=tmp_path_factory.mktemp("demo-home"), database_url=url_for(server_url, name)).prepare()
    demo.load_sample(settings)
    yield name
    drop_database(server_url, name)


@pytest.fixture(scope="session")
def trained_template(server_url, demo_template, tmp_path_factory) -> Trained:
    """The demo warehouse after one training (a champion in MLflow) and one scoring of its last day.

    The demo's model does not beat "last price" (so the product would publish "no edge"); the tests that use this
    are about publication, the registry and what a trained model leaves behind, so the skill gate and the
    proven-edge gate are off (NO_SKILL_GATE) and the scoring is without fees (`without_fees`: every copy of this
    template has fee-free cost profiles, ZERO_COSTS)."""
    from pokewatch import scoring, train
    from pokewatch.signals import SignalRule

    name = clone_database(server_url, demo_template, "pokewatch_trained")
    home = tmp_path_factory.mktemp("trained") / "home"
    # MLflow's set_tracking_uri exports MLFLOW_TRACKING_URI: drop what an earlier test left before Settings reads it.
    old = os.environ.pop("MLFLOW_TRACKING_URI", None)
    settings = Settings(home=home, database_url=url_for(server_url, name), **NO_SKILL_GATE).prepare()
    try:
        result = train.train(settings, DAY)
        assert result.promoted, result.reason  # the first model becomes champion (skill gate off: mechanics only)
        without_fees(settings)
        rule = SignalRule.from_settings(settings, **ZERO_COSTS)
        scored = scoring.score(settings, scoring.request(settings, DAY, uuid.uuid4(), rule))
    finally:
        os.environ.pop("MLFLOW_TRACKING_URI", None)
        if old is not None:
            os.environ["MLFLOW_TRACKING_URI"] = old
    yield Trained(name, settings.home_dir, result, scored)
    drop_database(server_url, name)


@pytest.fixture(scope="session")
def challenged_template(server_url, trained_template, tmp_path_factory) -> Trained:
    """A copy of `trained_template` after a second training that must beat the champion by 50 % (the same model
    cannot): a rejected challenger beside the champion. `result` is that rejected training (no new scoring)."""
    from pokewatch import train

    home = tmp_path_factory.mktemp("challenged") / "home"
    old = os.environ.pop("MLFLOW_TRACKING_URI", None)
    name, settings = copy_of(server_url, trained_template.database, trained_template.home, home.parent,
                             **NO_SKILL_GATE, champion_margin=0.5)
    try:
        rejected = train.train(settings, DAY)
        assert not rejected.promoted, rejected.reason
    finally:
        os.environ.pop("MLFLOW_TRACKING_URI", None)
        if old is not None:
            os.environ["MLFLOW_TRACKING_URI"] = old
    yield Trained(name, settings.home_dir, rejected, trained_template.scored)
    drop_database(server_url, name)


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
