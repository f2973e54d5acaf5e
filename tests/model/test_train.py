"""Training and scoring on the real demo sample, with a real MLflow store and real PostgreSQL."""

import uuid

import pytest

from pokewatch import demo, registry, scoring, train
from pokewatch.evaluate import BASELINES


@pytest.fixture
def landed(settings):
    demo.load_sample(settings)
    return demo.sample_last_day()


def test_first_passing_model_becomes_champion_and_a_worse_one_does_not(settings, landed):
    first = train.train(settings, landed)
    assert first.promoted, first.reason
    assert first.metrics["mape"] <= settings.max_mape
    assert first.metrics["coverage"] >= settings.min_coverage
    for name in BASELINES:
        assert f"{name}_mape" in first.metrics
    assert registry.load_alias(settings, registry.CHAMPION).version == first.version

    # Demand a 50 % improvement: the same model trained again cannot earn it.
    strict = settings.model_copy(update={"champion_margin": 0.5})
    second = train.train(strict, landed)
    assert not second.promoted
    assert "does not beat the champion" in second.reason
    assert registry.load_alias(settings, registry.CHAMPION).version == first.version
    assert registry.load_alias(settings, registry.CHALLENGER).version == second.version

    client = registry.mlflow_client(settings)
    version = client.get_model_version(settings.model_name, str(second.version))
    assert version.tags["decision"] == "rejected"
    run = client.get_run(second.metrics["mlflow_run_id"])
    assert run.data.metrics["last_price_mape"] > 0
    assert run.data.params["test_days"].endswith(str(landed.replace(day=19)))


def test_a_trained_model_leaves_plots_data_range_and_warehouse_metrics(settings, landed, conn):
    result = train.train(settings, landed)
    client = registry.mlflow_client(settings)
    run_id = result.metrics["mlflow_run_id"]
    run = client.get_run(run_id)
    for key in ("history_days", "history_rows", "fit_days", "fit_rows", "shrink_ltusd1"):
        assert key in run.data.params
    assert any(k.startswith("slice_price_band_") for k in run.data.metrics)
    plots = {a.path for a in client.list_artifacts(run_id, "plots")}
    assert plots == {f"plots/{n}.png" for n in
                     ("predicted_vs_actual", "residuals_by_band", "band_coverage", "signal_mix")}
    mv = client.get_model_version(settings.model_name, str(result.version))
    assert mv.tags["decision"] == "champion" and mv.tags["decision_reason"] == result.reason

    rows = conn.execute(
        "select count(*), bool_and(promoted), min(mlflow_run_id) from pokewatch.model_metrics where model_version = %s",
        (result.version,),
    ).fetchone()
    assert rows[0] > 10 and rows[1] is True and rows[2] == run_id
    perf = conn.execute(
        "select mape, last_price_mape from pokewatch.model_performance where model_version = %s", (result.version,)
    ).fetchone()
    assert perf[0] == pytest.approx(result.metrics["mape"]) and perf[1] > 0


def test_no_passing_model_means_no_signals(settings, landed, conn):
    impossible = settings.model_copy(update={"max_mape": 0.0001})
    result = train.train(impossible, landed)
    assert not result.promoted and "above the gate" in result.reason
    with pytest.raises(scoring.NoChampion, match="no signals were written"):
        scoring.score(settings, scoring.request(settings, landed, uuid.uuid4()))
    assert conn.execute("select count(*) from pokewatch.signals").fetchone()[0] == 0


def test_every_priced_series_is_scored_once_and_a_rerun_changes_nothing(settings, landed, conn):
    train.train(settings, landed)
    first = scoring.score(settings, scoring.request(settings, landed, uuid.uuid4()))
    priced = conn.execute(
        "select count(*) from pokewatch.prices where as_of = %s and market > 0", (landed,)
    ).fetchone()[0]
    assert first.rows == priced
    rows = conn.execute(
        "select product_id, variant, market_price, fair_price, fair_low, fair_high, signal, confidence, model_version"
        " from pokewatch.signals order by 1, 2"
    ).fetchall()
    assert all(r[4] <= r[3] <= r[5] for r in rows)
    assert all(0 <= r[7] <= 1 and r[8] == first.model_version for r in rows)
    scoring.score(settings, scoring.request(settings, landed, uuid.uuid4()))
    again = conn.execute(
        "select product_id, variant, market_price, fair_price, fair_low, fair_high, signal, confidence, model_version"
        " from pokewatch.signals order by 1, 2"
    ).fetchall()
    assert again == rows
