"""Fixtures for the collection tests: loopback mirrors of the sources, built from the real recordings."""

from __future__ import annotations

import pytest

from pokewatch.settings import Settings
from tests.support.mirror import Mirror
from tests.support.mirror import tcgcsv_mirror as build_tcgcsv_mirror

# The groups served by the small mirror used for fault tests (Base Set with real products, SV 151, two more).
FEW_GROUPS = [604, 23237, 1728, 1406]


@pytest.fixture
def tcgcsv_mirror(tcgcsv_data):
    """The full 210-set tcgcsv mirror of 2025-10-26 on a loopback port."""
    with build_tcgcsv_mirror(tcgcsv_data) as mirror:
        yield mirror


@pytest.fixture
def small_tcgcsv_mirror(tcgcsv_data):
    """The same mirror serving only four sets: fast enough to inject many faults."""
    with build_tcgcsv_mirror(tcgcsv_data, groups=FEW_GROUPS) as mirror:
        yield mirror


@pytest.fixture
def mirror():
    """An empty loopback server for a test to fill with routes."""
    with Mirror() as server:
        yield server


@pytest.fixture
def english(settings) -> Settings:
    """The test's settings with the English catalogue only (category 3): counts as tcgcsv's category-3 publish."""
    return settings.model_copy(update={"categories": [3]})


@pytest.fixture
def fast(english) -> Settings:
    """English-only settings with small retry budgets so fault tests stay fast."""
    return english.model_copy(
        update={"http_max_attempts": 3, "http_max_retry_seconds": 5, "http_timeout_seconds": 1, "http_concurrency": 4}
    )
