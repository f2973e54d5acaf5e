"""Flow `backfill`: land tcgcsv's daily archives for a range of days (resumable: landed days are skipped)."""

import datetime as dt

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NONE

from flows.params import Maybe
from pokewatch import backfill as backfilling
from pokewatch.settings import get_settings


@task(retries=1, retry_delay_seconds=60, timeout_seconds=6 * 3600, cache_policy=NONE)
def land_archives(start: dt.date | None, end: dt.date | None, archive_dir: str | None):
    return backfilling.backfill(get_settings(), start, end, archive_dir=archive_dir, progress=False)


@flow(name="backfill", log_prints=True)
def backfill(start: Maybe[dt.date] = None, end: Maybe[dt.date] = None, archive_dir: Maybe[str] = None):
    """Land tcgcsv's daily archives; days already landed are skipped, so it can be rerun after a failure.

    Args:
        start: First day to download ({base}/archive/tcgplayer/prices-YYYY-MM-DD.ppmd.7z).
        end: Last day to download.
        archive_dir: Folder of local prices-YYYY-MM-DD.ppmd.7z files to read instead of downloading.
    """
    result = land_archives(start, end, archive_dir)
    create_table_artifact([d.__dict__ for d in result.days], key="backfill-days", description="Days landed or skipped")
    print(f"{result.count('landed')} day(s) landed, {result.count('skipped')} skipped, {result.rows:,} rows")
    if not result.ok:
        raise RuntimeError("backfill incomplete: " + "; ".join(f"{d.as_of}: {d.error}" for d in result.days if d.error))
    return result
