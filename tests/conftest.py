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


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the controlling process, before any xdist worker starts
        from tests.support.templates import run_id

        run_id()  # one id for the run's shared templates (tests/support/templates.py)


def pytest_sessionfinish(session):
    if not hasattr(session.config, "workerinput"):  # every worker is done with the run's templates
        from tests.support.templates import drop_run_templates

        drop_run_templates(database_server_url())


@pytest.fixture(scope="session")
def server_url() -> str:
    return database_server_url()


def database_server_url() -> str:
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


# The suite runs on two pytest-xdist workers (pyproject: `-n 2`). Each file stays on one worker, so its module
# set-ups run once; the files that use the session's demo nightly (a minute to build, then Superset's start) or
# that create the cluster-wide roles pokewatch_reader/pokewatch_writer (their passwords set per test) all run on
# one worker, whose work is sent first. (xdist's own `loadgroup` does not group under pytest 9.2: it renames
# node ids through an attribute pytest no longer reads; this scheduler groups by path alone.)
ONE_WORKER = ("tests/code/bi/", "tests/code/flows/test_horizons.py", "tests/code/flows/test_nightly.py",
              "tests/code/scaleout/test_dask_nightly.py", "tests/model/test_train.py",
              "tests/code/sql/test_roles.py", "tests/code/reliability/test_privilege_secrets_outages.py")
ONE_WORKER_GROUP = "demo nightly and roles"


def file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def work_unit(nodeid: str) -> str:
    path = file_of(nodeid)
    return ONE_WORKER_GROUP if path.startswith(ONE_WORKER) else path


def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class ByFile(LoadScopeScheduling):
        """A file is a unit of work; the ONE_WORKER files are one unit."""

        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return ByFile(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """The one-worker unit first (the longest), then the files with slow tests, then the rest (stable order); and
    a file that uses the demo nightly must be listed in ONE_WORKER (else two workers would each build it)."""
    for item in items:
        path = file_of(item.nodeid)
        if "demo_nightly" in item.fixturenames and not path.startswith(ONE_WORKER):
            raise pytest.UsageError(f"{path} uses the demo nightly: add it to ONE_WORKER in tests/conftest.py")
    slow_files = {file_of(item.nodeid) for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: (work_unit(item.nodeid) != ONE_WORKER_GROUP, file_of(item.nodeid) not in slow_files))
