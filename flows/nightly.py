"""Flow `nightly`: collect → validate → grade → train → score → alerts → drift, recorded in `pokewatch.runs`, one
writer at a time."""

import contextlib
import datetime as dt

from prefect import flow, runtime
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.states import Completed

from flows import score as scoring_flow
from flows import watch
from flows.collect import collect
from flows.params import Maybe
from flows.train import train
from flows.validate import validate
from pokewatch import db, history, links, report, run_request, schema, scoring
from pokewatch import demo as demo_sample
from pokewatch import train as training
from pokewatch.runs import RunLog
from pokewatch.schedule import nightly_day
from pokewatch.settings import Source, get_settings
from pokewatch.sources.base import NotPublishedYet


def run_name() -> str:
    """Runs are named by the day they are for, as the Prefect UI lists them: "nightly 2025-10-26"."""
    params = runtime.flow_run.parameters or {}
    if params.get("as_of"):
        return f"nightly {params['as_of']}"
    if params.get("demo"):
        return "nightly demo"
    if runtime.deployment.id is not None or params.get("skip_collect"):  # the day before the scheduled start
        return f"nightly {nightly_day(runtime.flow_run.scheduled_start_time, get_settings().timezone)}"
    return "nightly (the day the source serves)"


def _per_horizon(stage: str, horizon: int, horizons: list[int]) -> str:
    """The results key of a stage at a horizon: `train` for the primary one, `train_30d` for another."""
    return stage if horizon == horizons[0] else f"{stage}_{horizon}d"


@flow(name="nightly", log_prints=True, flow_run_name=run_name)
def nightly(as_of: Maybe[dt.date] = None, skip_collect: bool = False, demo: bool = False, source: Source = "tcgcsv",
            profiles: Maybe[list[str]] = None, min_gain_dollars: Maybe[float] = None,
            horizons: Maybe[list[int]] = None):
    """The whole nightly job for one day: collect, validate, grade earlier signals, train, score, alerts and the
    drift watch, recorded in pokewatch.runs. Drift past the threshold ends the run in the state Drifted.

    Args:
        as_of: Day to run for; empty means the day before the scheduled start, in POKEWATCH_TIMEZONE (run by hand
            with collection: the day the source serves). A source that has not published the day yet is retried
            later, then the run ends Skipped; a day is never relabelled.
        skip_collect: Use prices already landed (import or backfill) instead of collecting.
        demo: Load the real sample shipped with PokeWatch first and run on its last day (no source needed).
        source: Price source every stage reads: tcgcsv, pokemonpricetracker or pokemontcg.
        profiles: Cost profiles to decide for (collector, seller, flipper or your own rows of
            pokewatch.cost_profiles); empty = settings (POKEWATCH_PROFILES).
        min_gain_dollars: Smallest dollar gain a BUY/SELL must promise; empty = settings (1.0).
        horizons: Days ahead to forecast, each with its own champion and signals (e.g. [7, 30, 90]; the first is
            the one views show); empty = settings (POKEWATCH_HORIZONS, else 7).
    """
    settings = get_settings()
    request = run_request.resolve(settings, as_of=as_of, skip_collect=skip_collect, demo=demo, source=source,
                                  profiles=profiles, min_gain_dollars=min_gain_dollars, horizons=horizons,
                                  scheduled_start=runtime.flow_run.scheduled_start_time,
                                  scheduled=runtime.deployment.id is not None)
    schema.ensure_schema(settings)
    with (db.connect(settings, autocommit=True) as lock, db.writer_lock(lock, settings.lock_timeout_seconds, "nightly"),
          contextlib.ExitStack() as after_validation):
        if request.demo:
            demo_sample.load_sample(settings)
        run = RunLog(settings, request.as_of, str(runtime.flow_run.id), lock=lock)
        results = {}
        try:
            if request.collect:
                try:
                    with run.stage("collect") as st:
                        results["collect"] = collect(request.as_of, request.source)
                        st["rows"] = results["collect"].rows
                except NotPublishedYet as exc:
                    run.finish("skipped", error=exc)
                    print(f"skipped: {exc}")
                    return Completed(name="Skipped", message=str(exc), data=results)
                request = run_request.after_collect(request, results["collect"])
                run.set_day(request.as_of)
                if run_request.nothing_to_run(settings, request, results["collect"]):
                    run.finish("skipped", error=results["collect"].note)
                    print(f"nothing new to run for {request.as_of}: {results['collect'].note}")
                    return Completed(name="Skipped", message=results["collect"].note, data=results)
            day = request.as_of
            with run.stage("validate") as st:
                results["validate"] = validate(day, run.run_id, request.source)
                st["rows"] = results["validate"].rows
            # Nothing lands from here on: the stages share one read of the landed history (~3.5 s each).
            after_validation.enter_context(history.shared_window())
            with run.stage("grade") as st:
                results["grade"] = watch.grade(day, request.source)
                st["rows"] = results["grade"].graded
            forecast = settings.with_horizons(request.horizons)
            horizons = forecast.forecast_horizons  # each its own champion and signals; the first is primary
            short = {}  # horizon -> why it could not train today (too little history): it publishes HOLD saying so
            with run.stage("train") as st:
                for h in horizons:
                    # the primary horizon fails the run as before when history is missing; another publishes HOLD
                    missing = None if h == horizons[0] else training.too_short(forecast.for_horizon(h), day,
                                                                                request.source)
                    if missing:
                        short[h] = f"no edge at {h} days: {missing}"
                        continue
                    results[_per_horizon("train", h, horizons)] = train(day, request.source, horizon=h,
                                                                        horizons=horizons)
                st["rows"] = sum(results[_per_horizon("train", h, horizons)].rows for h in horizons if h not in short)
            with run.stage("score") as st:
                for h in horizons:
                    results[_per_horizon("score", h, horizons)] = scoring_flow.run(scoring.request(
                        forecast.for_horizon(h), day, run.run_id, request.rule, request.source, request.profiles,
                        no_edge=short.get(h)))
                st["rows"] = sum(results[_per_horizon("score", h, horizons)].rows for h in horizons)
            run.record_publish(results["score"])
            with run.stage("alerts") as st:
                results["alerts"] = watch.alerts(day, run.run_id, request.source)
                st["rows"] = len(results["alerts"].alerts)
            with run.stage("drift") as st:
                results["drift"] = watch.drift_watch(day, run.run_id, request.source)
                st["rows"] = len(results["drift"].rows)
        except Exception as exc:
            run.finish("failed", error=exc)
            create_markdown_artifact(report.nightly_markdown(run, results, exc), key="nightly-summary")
            raise
        warning = results["drift"].message()
        run.finish("succeeded", model_version=results["score"].model_version, decision=results["train"].reason,
                   warning=warning)
    docs = links.data_docs(settings, results["validate"].data_docs_path)
    create_markdown_artifact(report.nightly_markdown(run, results, links=[
        links.mlflow_run(settings, None, results["train"].metrics.get("mlflow_run_id")), docs]),
        key="nightly-summary", description=f"as of {day}")
    # The stages' own tables on the parent run too: the run people open in the UI is this one.
    create_markdown_artifact(results["validate"].markdown(docs), key="nightly-validation",
                             description="the data contract")
    create_table_artifact(report.decision_table(results["train"]), key="nightly-model-decision",
                          description=results["train"].reason)
    create_markdown_artifact(report.signals_markdown(results["score"]), key="nightly-signals",
                             description="signals published, biggest BUY and SELL with card names")
    if warning:
        print(f"warning: {warning}")
        return Completed(name="Drifted", message=warning, data=results)
    return results
