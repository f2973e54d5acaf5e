"""Shared fixtures: a fresh real PostgreSQL database per test, a private PokeWatch home, the shared data."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from pokewatch import db, schema
from pokewatch.settings import PROJECT_DIR, Settings

SHARED = Path(os.environ.get("POKEWATCH_SHARED_DIR", PROJECT_DIR.parent / "shared"))
HISTORY_PARQUET = SHARED / "data/tcgcsv/tcgcsv_prices_cat3_pokemon_2025-09-21_2025-10-26.parquet"
ARCHIVE_7Z = SHARED / "data/tcgcsv/prices-2025-10-26.ppmd.7z"

# Session-wide set-ups shared by every folder (one instance each per session, whichever folder asks first):
# the landed and the trained demo warehouses, the Prefect API and the demo nightly run, the real history.
pytest_plugins = ["tests.support.templates", "tests.support.prefect", "tests.support.history"]

# The product forecasts 7, 30 and 90 days (each new champion walks forward over the landed year, ~40 s on the demo).
# Tests of the nightly's mechanics (locks, crashes, secrets, publication) run the first horizon alone, as
# POKEWATCH_HORIZONS=7 configures it; `tests/code/flows/test_horizons.py` runs several.
os.environ.setdefault("POKEWATCH_HORIZONS", "7")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    assert SHARED.is_dir(), f"tests read real data from {SHARED} (set POKEWATCH_SHARED_DIR)"
    return SHARED


@pytest.fixture(scope="session")
def tcgcsv_data(shared_dir, tmp_path_factory):
    """Real bodies for 2025-10-26, extracted from the shared archive once per session (~1.5 s)."""
    from tests.support.mirror import load_tcgcsv_data

    return load_tcgcsv_data(shared_dir, tmp_path_factory.mktemp("tcgcsv-archive"))


@pytest.fixture(scope="session")
def server_url(tmp_path_factory) -> str:
    """The PostgreSQL server tests create their databases on: POKEWATCH_TEST_DATABASE_URL, else embedded."""
    url = os.environ.get("POKEWATCH_TEST_DATABASE_URL")
    if url:
        return url
    # Under the project, not /tmp/pytest-of-*: as root the embedded server runs as user `pgserver`,
    # which cannot enter pytest's private temp folders.
    home = PROJECT_DIR / ".pokewatch" / "test-embedded"
    home.mkdir(parents=True, exist_ok=True)
    return db.database_url(Settings(home=home)).render_as_string(hide_password=False)


def _admin(url: str) -> psycopg.Connection:
    return psycopg.connect(db.libpq_conninfo(make_url(url).set(database="postgres")), autocommit=True)


@pytest.fixture(scope="session")
def template_database(server_url, tmp_path_factory) -> str:
    """A database migrated once per session; each test's database is a cheap copy of it."""
    name = f"pokewatch_tmpl_{os.getpid()}"
    with _admin(server_url) as conn:
        conn.execute(f"drop database if exists {name}")
        conn.execute(f"create database {name}")
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    schema.migrate(Settings(home=tmp_path_factory.mktemp("tmpl"), database_url=url))
    yield name
    with _admin(server_url) as conn:
        conn.execute(f"drop database if exists {name} with (force)")


@pytest.fixture
def database_url(server_url, template_database) -> str:
    name = f"pokewatch_t_{uuid.uuid4().hex[:12]}"
    with _admin(server_url) as conn:
        conn.execute(f"create database {name} template {template_database}")
    yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    with _admin(server_url) as conn:
        conn.execute(f"drop database if exists {name} with (force)")


@pytest.fixture
def settings(tmp_path, database_url, monkeypatch) -> Settings:
    """Settings for one test: its own database, home folder and MLflow store."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    return Settings(home=tmp_path / "home", database_url=database_url).prepare()


@pytest.fixture
def conn(settings):
    """A connection for a test's own reads and writes; autocommit, so it never holds a lock between statements
    (an idle open transaction would block a partition being created by the code under test)."""
    with db.connect(settings, autocommit=True) as connection:
        yield connection


# The suite runs on two pytest-xdist workers (pyproject: `-n 2 --dist loadgroup`). Each file stays on one worker,
# so its module set-ups run once; the files that share the session's demo nightly (a minute to build) or that
# create the cluster-wide roles pokewatch_reader/pokewatch_writer (passwords set per test) all run on one worker.
ONE_WORKER = {"tests/code/sql/test_roles.py", "tests/code/reliability/test_privilege_secrets_outages.py"}
ONE_WORKER_DIRS = ("tests/code/bi/",)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    by_file: dict[str, list] = {}
    for item in items:
        by_file.setdefault(item.path.relative_to(config.rootpath).as_posix(), []).append(item)
    for path, file_items in by_file.items():
        together = (path in ONE_WORKER or path.startswith(ONE_WORKER_DIRS)
                    or any("demo_nightly" in item.fixturenames for item in file_items))
        for item in file_items:
            item.add_marker(pytest.mark.xdist_group("demo-nightly-and-roles" if together else path))
