"""Flow tests run against a real Prefect API (tests/support/prefect.py, shared by the session) and the recorded
tcgcsv mirror."""

from tests.code.integration.conftest import small_tcgcsv_mirror  # noqa: F401  (fixture)
