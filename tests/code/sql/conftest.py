"""Fixtures for the warehouse SQL tests: one demo database trained and scored for two days per module (a copy of
the session's trained demo warehouse)."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from pokewatch import db, demo, model_store, scoring
from pokewatch.settings import PROJECT_DIR, Settings
from pokewatch.signals import SignalRule
from tests.support.templates import copy_of, drop_database
from tests.support.warehouse import NO_SKILL_GATE, ZERO_COSTS, without_fees

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


@pytest.fixture(scope="module")
def scored(server_url, trained_template, challenged_template, tmp_path_factory) -> Scored:
    """The demo sample landed, a champion trained (and a rejected challenger), signals for two days.

    The champion and the challenger are the session's (tests/support/templates.py: the landed demo trained once
    with NO_SKILL_GATE, then again with champion_margin 0.5); this module scores both days in a copy.
    Signals are scored with every profile's fees set to zero so BUY (collector, flipper) and SELL (seller) exist
    on the small sample.
    Read-only for the tests that use it.
    """
    saved = os.environ.pop("MLFLOW_TRACKING_URI", None)
    # views and queries need BUY/SELL rows and a champion: skill gate off, zero costs (never the product's)
    name, settings = copy_of(server_url, challenged_template.database, challenged_template.home,
                             Path(tmp_path_factory.mktemp("scored")), **NO_SKILL_GATE)
    try:
        assert demo.sample_last_day() == DAYS[-1]
        champion = trained_template.result  # train.train(settings, DAYS[-1]) on the landed demo, fresh MLflow store
        assert champion.promoted, champion.reason
        rejected = challenged_template.result  # train.train(settings + champion_margin 0.5, DAYS[-1])
        assert not rejected.promoted
        with db.connect(settings) as conn:
            for result in (champion, rejected):
                model_store.save_model_metrics(conn, DAYS[-1], result.version, result.metrics["mlflow_run_id"],
                                               result.promoted, result.reason, result.metrics, result.slices)
        without_fees(settings)
        rule = SignalRule.from_settings(settings, **ZERO_COSTS)
        for day in DAYS:
            scoring.score(settings, scoring.request(settings, day, uuid.uuid4(), rule))
        yield Scored(settings, DAYS, [champion, rejected])
    finally:
        os.environ.pop("MLFLOW_TRACKING_URI", None)
        if saved is not None:
            os.environ["MLFLOW_TRACKING_URI"] = saved
        drop_database(server_url, name)


@pytest.fixture
def scored_conn(scored):
    with db.connect(scored.settings) as connection:
        yield connection
        connection.rollback()  # the scored database is shared by the module: leave it as it was
