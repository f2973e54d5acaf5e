"""The nightly grades earlier signals, publishes alerts and watches drift, and says so in its state and runs row."""

import datetime as dt
import uuid

from pokewatch import alerts, db, demo

DAY = dt.date(2025, 10, 26)
EARLIER = DAY - dt.timedelta(days=7)


def test_the_nightly_grades_alerts_and_ends_drifted_naming_what_moved(flow_settings, monkeypatch):
    from flows.nightly import nightly
    from pokewatch.settings import get_settings

    demo.load_sample(flow_settings)
    with db.connect(flow_settings) as conn:  # a week-old day's signals, as an earlier run published them
        earlier = conn.execute(
            "insert into pokewatch.signals (product_id, variant, as_of, model_version, market_price, fair_price, "
            "fair_low, fair_high, deviation_pct, signal, confidence, reason, run_id, cost_share, horizon_days, "
            "profile) select product_id, variant, as_of, 0, market, market, market, market, 0, 'HOLD', 0, 'test', %s, "
            "0, 7, 'collector' "
            "from pokewatch.landed_prices where as_of = %s and market > 0", (str(uuid.uuid4()), EARLIER)).rowcount
    monkeypatch.setenv("POKEWATCH_DRIFT_PSI_THRESHOLD", "0.05")  # low enough that the real sample drifts
    get_settings.cache_clear()

    state = nightly(demo=True, return_state=True)
    results = state.result()
    with db.connect(flow_settings) as conn:
        run = conn.execute("select status, grade_rows, alerts_rows, drift_rows, warning from pokewatch.runs "
                           "where as_of = %s", (DAY,)).fetchone()
        graded = conn.execute("select count(*), max(realised_day) from pokewatch.signal_outcomes "
                              "where kind = 'live' and as_of = %s", (EARLIER,)).fetchone()
        stored_alerts = conn.execute("select count(*) from pokewatch.alerts where as_of = %s", (DAY,)).fetchone()[0]
        kinds = conn.execute("select count(*) from pokewatch.alert_follow_through where as_of = %s",
                             (DAY,)).fetchone()[0]
        drifted = [r[0] for r in conn.execute(
            "select name from pokewatch.drift where as_of = %s and drifted order by value desc, name", (DAY,))]
        summary = conn.execute("select drifted, drifted_names from pokewatch.drift_summary where as_of = %s",
                               (DAY,)).fetchone()
    assert earlier > 1000 and graded[0] == run[1] == results["grade"].graded and graded[0] > 0.9 * earlier
    assert graded[1] == DAY
    assert run[2] == stored_alerts == len(results["alerts"].alerts) > 0 and kinds == len(alerts.KINDS)
    assert drifted and summary == (len(drifted), ", ".join(drifted))
    assert state.name == "Drifted" and run[0] == "succeeded"
    assert state.message == run[4] == results["drift"].message()
    assert all(f"{name} (PSI" in run[4] for name in drifted)

    # The parent run carries every stage's table (the run people open in the Prefect UI).
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id])))
    assert {"nightly-summary", "nightly-validation", "nightly-model-decision", "nightly-signals"} <= {
        a.key for a in artifacts}
    by_key = {a.key: str(a.data) for a in artifacts}
    # linked, not a worker path and a bare id (issue 18): the MLflow run and the day's Data Docs page
    assert f"MLflow run `{results['train'].metrics['mlflow_run_id']}`" in by_key["nightly-summary"]
    assert "[Data Docs](file://" in by_key["nightly-summary"] and "[Data Docs](file://" in by_key["nightly-validation"]

    # The training run's lineage in MLflow: the commit, the Prefect flow run, the days, the fitted rows.
    import subprocess

    from pokewatch import registry

    mlflow_run = registry.mlflow_client(flow_settings).get_run(results["train"].metrics["mlflow_run_id"])
    tags = mlflow_run.data.tags
    head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    assert tags["mlflow.source.git.commit"] == head and uuid.UUID(tags["prefect.flow_run_id"])
    assert tags["as_of"] == str(DAY) and tags["source"] == "tcgcsv" and ".." in tags["fit_days"]
    experiment = registry.mlflow_client(flow_settings).get_experiment(mlflow_run.info.experiment_id)
    assert experiment.tags[registry.EXPERIMENT_KIND_TAG] == "custom_model_development"  # the UI's ML view
    (dataset,) = mlflow_run.inputs.dataset_inputs
    assert dataset.dataset.name == f"tcgcsv fit rows {tags['fit_days']}" and dataset.dataset.source_type == "code"
