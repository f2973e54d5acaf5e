"""A real Prefect API for the scale-out flow tests (the same harness as tests/flows/conftest.py)."""

import pytest


@pytest.fixture(scope="session")
def prefect_api(tmp_path_factory):
    import os

    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def flow_settings(prefect_api, settings, monkeypatch):
    """Flows read settings from the environment (as a deployment does): point it at this test's database."""
    from pokewatch.settings import get_settings

    monkeypatch.setenv("POKEWATCH_DATABASE_URL", settings.database_url.get_secret_value())
    monkeypatch.setenv("POKEWATCH_HOME", str(settings.home))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()
