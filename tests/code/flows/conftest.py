"""Flow tests run against a real Prefect API (see tests/support/prefect.py) and the recorded tcgcsv mirror."""

from tests.code.integration.conftest import small_tcgcsv_mirror, tcgcsv_data  # noqa: F401  (fixtures)
from tests.support.prefect import flow_settings, prefect_api  # noqa: F401  (fixtures)
