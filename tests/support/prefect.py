"""A real Prefect API for flow tests (prefect_test_harness: a temporary server for the session), settings passed
to flows through the environment, as a deployment passes them, and the demo nightly run once per session.

A pytest plugin (registered in tests/conftest.py), so every folder shares one server and one demo run."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.templates import clone_database, copy_home, drop_database, url_for


@pytest.fixture(scope="session")
def prefect_api():
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def prefect_server(prefect_api) -> str:
    """The session's Prefect API URL, for subprocesses to share."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


def _point_flows_at(monkeypatch, database_url: str, home: Path):
    from pokewatch.settings import get_settings

    monkeypatch.setenv("POKEWATCH_DATABASE_URL", database_url)
    monkeypatch.setenv("POKEWATCH_HOME", str(home))
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture
def flow_settings(prefect_api, settings, monkeypatch):
    """Point the flows' settings (read from the environment) at this test's database and home."""
    from pokewatch.settings import get_settings

    yield _point_flows_at(monkeypatch, settings.database_url.get_secret_value(), settings.home)
    get_settings.cache_clear()


@dataclass
class DemoNightly:
    """The warehouse and home left by `nightly(demo=True)` on a fresh database, and the flow's results."""

    database: str
    home: Path
    results: dict


@pytest.fixture(scope="session")
def demo_nightly(prefect_api, server_url, template_database, tmp_path_factory) -> DemoNightly:
    """`nightly(demo=True)` at the product's settings on a fresh migrated database, run once per session through
    the real Prefect API (load the sample, validate, train, score). Tests get a copy (`demo_nightly_settings`)."""
    from flows.nightly import nightly
    from pokewatch.settings import get_settings

    name = clone_database(server_url, template_database, "pokewatch_nightly")
    home = tmp_path_factory.mktemp("demo-nightly") / "home"
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("MLFLOW_TRACKING_URI", raising=False)
        settings = _point_flows_at(mp, url_for(server_url, name), home)
        try:
            results = nightly(demo=True)
        finally:
            get_settings.cache_clear()
    yield DemoNightly(name, settings.home_dir, results)
    drop_database(server_url, name)


@pytest.fixture
def demo_nightly_settings(demo_nightly, server_url, tmp_path, monkeypatch):
    """The flows' settings pointed at a private copy (database and home) of the session's demo nightly."""
    from pokewatch.settings import get_settings

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    name = clone_database(server_url, demo_nightly.database)
    home = copy_home(demo_nightly.home, tmp_path / "home")
    yield _point_flows_at(monkeypatch, url_for(server_url, name), home)
    get_settings.cache_clear()
    drop_database(server_url, name)
