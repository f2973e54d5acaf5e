"""Fixtures for the warehouse SQL tests: one demo database trained and scored for two days per module."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from pokewatch import db, demo, model_store, scoring, train
from pokewatch.settings import PROJECT_DIR, Settings
from pokewatch.signals import SignalRule
from tests.support.warehouse import NO_SKILL_GATE, ZERO_COSTS

QUERIES = PROJECT_DIR / "sql" / "queries"
DAYS = (dt.date(2025, 10, 25), dt.date(2025, 10, 26))


def run_query(conn: psycopg.Connection, name: str, params: dict | None = None) -> tuple[list[str], list[tuple]]:
    """Run sql/queries/<name>.sql as an analyst would; returns (column names, rows)."""
    cur = conn.execute((QUERIES / f"{name}.sql").read_text(), params)
    return [c.name for c in cur.description], cur.fetchall()


@dataclass
class Scored:
    settings: Settings
    days: tuple[dt.date, dt.date]
    trained: list  # TrainResult of the champion, then a rejected challenger


def _admin(url: str) -> psycopg.Connection:
    return psycopg.connect(db.libpq_conninfo(make_url(url).set(database="postgres")), autocommit=True)


@pytest.fixture(scope="module")
def scored(server_url, template_database, tmp_path_factory) -> Scored:
    """The demo sample landed, a champion trained (and a rejected challenger), signals for two days.

    Signals are scored without costs (the demo's rule) so BUY and SELL exist on the small sample.
    Read-only for the tests that use it.
    """
    name = f"pokewatch_sql_{uuid.uuid4().hex[:12]}"
    with _admin(server_url) as conn:
        conn.execute(f"create database {name} template {template_database}")
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    saved = os.environ.pop("MLFLOW_TRACKING_URI", None)
    # views and queries need BUY/SELL rows and a champion: skill gate off, zero costs (never the product's)
    settings = Settings(home=Path(tmp_path_factory.mktemp("scored")) / "home", database_url=url,
                        **NO_SKILL_GATE).prepare()
    try:
        demo.load_sample(settings)
        assert demo.sample_last_day() == DAYS[-1]
        champion = train.train(settings, DAYS[-1])
        assert champion.promoted, champion.reason
        rejected = train.train(settings.model_copy(update={"champion_margin": 0.5}), DAYS[-1])
        assert not rejected.promoted
        with db.connect(settings) as conn:
            for result in (champion, rejected):
                model_store.save_model_metrics(conn, DAYS[-1], result.version, result.metrics["mlflow_run_id"],
                                               result.promoted, result.reason, result.metrics, result.slices)
        rule = SignalRule.from_settings(settings, **ZERO_COSTS)
        for day in DAYS:
            scoring.score(settings, scoring.request(settings, day, uuid.uuid4(), rule))
        yield Scored(settings, DAYS, [champion, rejected])
    finally:
        if saved is not None:
            os.environ["MLFLOW_TRACKING_URI"] = saved
        with _admin(server_url) as conn:
            conn.execute(f"drop database if exists {name} with (force)")


@pytest.fixture
def scored_conn(scored):
    with db.connect(scored.settings) as connection:
        yield connection
        connection.rollback()  # the scored database is shared by the module: leave it as it was
