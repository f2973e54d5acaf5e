"""A real Prefect API for flow tests (prefect_test_harness: a temporary server for the session), and settings
passed to flows through the environment, as a deployment passes them."""

import os

import pytest


@pytest.fixture(scope="session")
def prefect_api():
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def flow_settings(prefect_api, settings, monkeypatch):
    """Point the flows' settings (read from the environment) at this test's database and home."""
    from pokewatch.settings import get_settings

    monkeypatch.setenv("POKEWATCH_DATABASE_URL", settings.database_url.get_secret_value())
    monkeypatch.setenv("POKEWATCH_HOME", str(settings.home))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()
