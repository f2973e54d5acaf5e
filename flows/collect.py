"""Flow `collect`: land one day of prices from a source."""

import datetime as dt

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE

from pokewatch import collect as collecting, report
from pokewatch.settings import get_settings


@task(retries=2, retry_delay_seconds=[30, 120], retry_jitter_factor=0.5, timeout_seconds=1800, cache_policy=NONE)
def collect_day(as_of: dt.date, source: str):
    return collecting.collect(get_settings(), as_of, source=source)


@flow(name="collect", log_prints=True)
def collect(as_of: dt.date, source: str = "tcgcsv"):
    result = collect_day(as_of, source)
    create_markdown_artifact(report.collect_markdown(result), key="collect-summary", description="Prices landed")
    return result
