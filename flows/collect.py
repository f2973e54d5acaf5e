"""Flow `collect`: land the day a source serves."""

import datetime as dt

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE

from flows.params import Maybe
from pokewatch import collect as collecting
from pokewatch import report
from pokewatch.settings import Source, get_settings
from pokewatch.sources.base import SourceError, WrongDay


def _worth_retrying(task, task_run, state) -> bool:
    """A day the source has not published yet, or a source that failed after its own retries: try again later.
    A source already past the day (WrongDay) will never serve it: no retry."""
    try:
        state.result()
    except WrongDay:
        return False
    except SourceError:
        return True
    except Exception:  # noqa: BLE001 - anything else is a bug or a warehouse fault: fail now
        return False
    return False


@task(timeout_seconds=1800, cache_policy=NONE, retry_condition_fn=_worth_retrying, retry_jitter_factor=0.2)
def collect_day(as_of: dt.date | None, source: str, set_ids: list[str] | None, product_ids: list[int] | None):
    settings = get_settings()
    return collecting.collect(settings, as_of, source, **settings.source_access(source),
                              set_ids=set_ids, product_ids=product_ids)


@flow(name="collect", log_prints=True)
def collect(as_of: Maybe[dt.date] = None, source: Source = "tcgcsv", set_ids: Maybe[list[str]] = None,
            product_ids: Maybe[list[int]] = None):
    """Land the day a source serves; a day it has not published yet is retried later, never relabelled.

    Args:
        as_of: The day expected (empty = whatever day the source serves); another day is refused.
        source: tcgcsv (the whole catalogue, no key), pokemonpricetracker or pokemontcg (keyed).
        set_ids: Sets to fetch from the keyed sources (their quotas are small).
        product_ids: TCGplayer product ids to fetch from pokemonpricetracker.
    """
    settings = get_settings()
    fetch = collect_day.with_options(retries=settings.source_retries,
                                     retry_delay_seconds=settings.source_retry_delay_seconds)
    result = fetch(as_of, source, set_ids, product_ids)
    create_markdown_artifact(report.collect_markdown(result), key="collect-summary", description="Prices landed")
    print(result.note or f"{result.rows} rows landed from {source} for {result.as_of}")
    return result
