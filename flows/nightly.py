"""Flow `nightly`: collect → validate → train → score, recorded in `pokewatch.runs`, one writer at a time."""

import datetime as dt

from prefect import flow, runtime
from prefect.artifacts import create_markdown_artifact

from flows.collect import collect
from flows.score import score
from flows.train import train
from flows.validate import validate
from pokewatch import db, demo as demo_sample, landing, report
from pokewatch.runs import RunLog
from pokewatch.settings import get_settings
from pokewatch.signals import DEMO_COSTS


def _landed(settings, day: dt.date, source: str) -> bool:
    with db.connect(settings) as conn:
        return landing.is_landed(conn, source, day)


@flow(name="nightly", log_prints=True)
def nightly(as_of: dt.date | None = None, skip_collect: bool = False, demo: bool = False, source: str = "tcgcsv",
            round_trip_cost: float | None = None, min_gain_dollars: float | None = None):
    """The whole nightly job for one day: collect, validate, train, score, recorded in pokewatch.runs.

    Args:
        as_of: Day to run for; empty means the day before the scheduled start, in POKEWATCH_TIMEZONE.
        skip_collect: Use prices already landed (import or backfill) instead of collecting.
        demo: Load the real sample shipped with PokeWatch first and run on its last day (no source needed).
        source: Price source to collect from: tcgcsv, pokemonpricetracker or pokemontcg.
        round_trip_cost: Share of the price a BUY/SELL must clear (fees + shipping); empty = settings (0.25).
        min_gain_dollars: Smallest dollar gain a BUY/SELL must promise; empty = settings (1.0).
    """
    settings = get_settings()
    db.ensure_schema(settings)
    with db.connect(settings, autocommit=True) as lock, db.writer_lock(lock, settings.lock_timeout_seconds, "nightly"):
        if demo:
            demo_sample.load_sample(settings)
            as_of, skip_collect = as_of or demo_sample.sample_last_day(), True
            round_trip_cost = DEMO_COSTS["round_trip_cost"] if round_trip_cost is None else round_trip_cost
            min_gain_dollars = DEMO_COSTS["min_gain_dollars"] if min_gain_dollars is None else min_gain_dollars
        day = as_of or report.nightly_day(runtime.flow_run.scheduled_start_time, settings.timezone)
        run = RunLog(settings, day, str(runtime.flow_run.id))
        results = {}
        try:
            if not skip_collect:
                with run.stage("collect") as st:
                    results["collect"] = collect(day, source)
                    st["rows"] = results["collect"].rows
                if results["collect"].skipped and not _landed(settings, day, source):
                    run.finish("skipped", error=results["collect"].note)
                    print(f"nothing new to run for {day}: {results['collect'].note}")
                    return results
            with run.stage("validate") as st:
                results["validate"] = validate(day, run.run_id, source)
                st["rows"] = results["validate"].rows
            with run.stage("train") as st:
                results["train"] = train(day)
                st["rows"] = results["train"].rows
            with run.stage("score") as st:
                results["score"] = score(day, run.run_id, round_trip_cost, min_gain_dollars)
                st["rows"] = results["score"].rows
            run.record_publish(results["score"])
        except Exception as exc:
            run.finish("failed", error=exc)
            create_markdown_artifact(report.nightly_markdown(run, results, exc), key="nightly-summary")
            raise
        trained = results["train"]
        run.finish("succeeded", model_version=results["score"].model_version, decision=trained.reason)
    create_markdown_artifact(report.nightly_markdown(run, results), key="nightly-summary", description=f"as of {day}")
    return results
