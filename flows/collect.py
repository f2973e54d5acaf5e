"""Flow `collect`: land one day of prices from a source."""

import datetime as dt

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE

from pokewatch import collect as collecting, report
from pokewatch.settings import get_settings


@task(retries=2, retry_delay_seconds=[30, 120], retry_jitter_factor=0.5, timeout_seconds=1800, cache_policy=NONE)
def collect_day(as_of: dt.date, source: str, set_ids: list[str] | None, product_ids: list[int] | None):
    settings = get_settings()
    return collecting.collect(settings, as_of, source, **settings.source_access(source),
                              set_ids=set_ids, product_ids=product_ids)


@flow(name="collect", log_prints=True)
def collect(as_of: dt.date, source: str = "tcgcsv", set_ids: list[str] | None = None,
            product_ids: list[int] | None = None):
    """Land one day of prices from a source.

    Args:
        as_of: Day the prices are landed for.
        source: tcgcsv (the whole catalogue, no key), pokemonpricetracker or pokemontcg (keyed).
        set_ids: Sets to fetch from the keyed sources (their quotas are small).
        product_ids: TCGplayer product ids to fetch from pokemonpricetracker.
    """
    result = collect_day(as_of, source, set_ids, product_ids)
    create_markdown_artifact(report.collect_markdown(result), key="collect-summary", description="Prices landed")
    print(result.note or f"{result.rows} rows landed from {source} for {as_of}")
    return result
