"""Scale-out flow tests run against a real Prefect API (see tests/support/prefect.py)."""

from tests.support.prefect import flow_settings, prefect_api  # noqa: F401  (fixtures)
