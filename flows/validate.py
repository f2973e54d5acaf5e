"""Flow `validate`: the day's prices against the Great Expectations contract."""

import datetime as dt
import uuid

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE

from flows.params import Maybe
from pokewatch import links
from pokewatch.settings import Source, get_settings


@task(timeout_seconds=600, cache_policy=NONE)
def validate_day(as_of: dt.date, run_id: uuid.UUID | None, source: str):
    from pokewatch import validation  # imports Great Expectations (~6 s): only where validation runs

    settings = get_settings()
    try:
        report = validation.validate_prices(settings, as_of, run_id=run_id, source=source)
    except validation.ValidationFailed as failed:
        create_markdown_artifact(failed.report.markdown(links.data_docs(settings, failed.report.data_docs_path)),
                                 key="validation", description="Validation FAILED")
        raise
    create_markdown_artifact(report.markdown(links.data_docs(settings, report.data_docs_path)), key="validation",
                             description=report.summary())
    return report


@flow(name="validate", log_prints=True)
def validate(as_of: dt.date, run_id: Maybe[uuid.UUID] = None, source: Source = "tcgcsv"):
    """Check a landed day against the price contract; critical failures stop, warnings quarantine rows.

    Args:
        as_of: Landed day to validate.
        run_id: Nightly run the quarantined rows are attributed to.
        source: Source whose landing is validated.
    """
    report = validate_day(as_of, run_id, source)
    print(report.summary())
    return report
