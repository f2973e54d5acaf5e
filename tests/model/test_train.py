"""Training and scoring on the real demo sample, with a real MLflow store and real PostgreSQL.

Training on the demo costs the most here, so trainings are shared where a test only reads one: the session's
`trained_template` (tests/support/templates.py: the landed demo trained once with NO_SKILL_GATE, a fresh MLflow
store) and `demo_nightly` (tests/support/prefect.py: `nightly(demo=True)`, which trains at the product's
settings). Each test works on its own copy of the database and of the MLflow store."""

import uuid

import pytest

from pokewatch import db, demo, registry, scoring, train
from pokewatch.evaluate import BASELINES
from tests.support.warehouse import NO_SKILL_GATE


@pytest.fixture
def settings(landed_settings):
    """This module's warehouse: a private copy of the landed demo sample (no model yet)."""
    return landed_settings


@pytest.fixture
def landed():
    """The demo sample's last day (the templates and `settings` hold the landed sample)."""
    return demo.sample_last_day()


@pytest.fixture
def trained_conn(trained_copy):
    with db.connect(trained_copy, autocommit=True) as connection:
        yield connection


def test_the_skill_gate_decides_on_the_interval_against_last_price_on_the_same_rows(demo_nightly,
                                                                                   demo_nightly_settings):
    """The training at the product's settings of the session's demo nightly (`train.train` in its train task),
    read with a copy of the MLflow store it left."""
    settings = demo_nightly_settings
    result = demo_nightly.results["train"]
    m = result.metrics
    assert m["skill_low"] <= m["skill"] <= m["skill_high"] and m["skill_n"] == m["n"]
    assert m["skill"] == pytest.approx(m["last_price_mape"] - m["mape"])  # paired: the same held-out rows
    assert result.promoted == (m["skill_low"] > settings.min_skill)
    if not result.promoted:
        assert result.reason.startswith("no edge at 7 days: MAPE ")
        assert f"vs last price {m['last_price_mape']:.2%} on the same {m['skill_n']:,} held-out rows" in result.reason
        assert registry.load_alias(settings, registry.CHAMPION) is None


def test_first_passing_model_becomes_champion_and_a_worse_one_does_not(trained_template, challenged_template,
                                                                      challenged_copy, landed):
    """The session's two trainings (tests/support/templates.py), read in a copy of their warehouse and store."""
    settings = challenged_copy.model_copy(update=NO_SKILL_GATE)  # the alias mechanics, whatever the model's skill
    first = trained_template.result  # train.train(settings, landed) on the landed demo and a fresh MLflow store
    assert first.promoted, first.reason
    assert first.metrics["mape"] <= settings.max_mape
    assert first.metrics["coverage"] >= settings.min_coverage
    for name in BASELINES:
        assert f"{name}_mape" in first.metrics
    assert registry.load_alias(settings, registry.CHAMPION).version == first.version

    # Demand a 50 % improvement: the same model trained again cannot earn it.
    # (`challenged_template`: train.train(settings + champion_margin 0.5, landed), after `first`)
    second = challenged_template.result
    assert not second.promoted
    assert "does not beat the champion" in second.reason
    # the same rows and code as the champion: said in the decision (the registry holds a twin, not progress)
    assert second.reason.endswith(f"fitted on the same rows by the same code as champion version {first.version}")
    assert "same rows" not in first.reason
    assert registry.load_alias(settings, registry.CHAMPION).version == first.version
    assert registry.load_alias(settings, registry.CHALLENGER).version == second.version

    client = registry.mlflow_client(settings)
    version = client.get_model_version(settings.model_name, str(second.version))
    assert version.tags["decision"] == "rejected"
    run = client.get_run(second.metrics["mlflow_run_id"])
    assert run.data.metrics["last_price_mape"] > 0
    assert run.data.params["test_days"].endswith(str(landed.replace(day=19)))


def test_a_trained_model_leaves_plots_data_range_and_warehouse_metrics(trained_template, trained_copy, trained_conn):
    settings = trained_copy.model_copy(update=NO_SKILL_GATE)  # a promoted model's records
    result = trained_template.result  # train.train(settings, landed): the session's training, read in a copy
    conn = trained_conn
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


def test_no_passing_model_means_every_series_holds_at_its_last_price_with_the_numbers(settings, landed, conn):
    impossible = settings.model_copy(update={"min_skill": 1.0})  # beat last price by 100 MAPE points
    result = train.train(impossible, landed)
    assert not result.promoted and result.reason.startswith("no edge at 7 days")
    scored = scoring.score(settings, scoring.request(settings, landed, uuid.uuid4()))
    assert scored.model_version == scoring.NO_MODEL and scored.counts == {"BUY": 0, "SELL": 0, "HOLD": scored.rows}
    rows = conn.execute("select count(*), bool_and(fair_price = market_price and fair_low = fair_high), "
                        "min(reason), max(reason), max(confidence) from pokewatch.signals").fetchone()
    assert rows == (scored.rows, True, result.reason, result.reason, 0.0)
    priced = conn.execute("select count(*) from pokewatch.prices where as_of = %s and market > 0",
                          (landed,)).fetchone()[0]
    assert scored.rows == priced * len(settings.profiles) and scored.coverage == 1.0  # a row per cost profile


def test_every_priced_series_is_scored_once_and_a_rerun_changes_nothing(trained_copy, landed, trained_conn):
    settings = trained_copy.model_copy(update=NO_SKILL_GATE)  # through a model, whatever its skill
    conn = trained_conn  # the session's training (NO_SKILL_GATE), in a copy; its zero-cost signals are replaced
    first = scoring.score(settings, scoring.request(settings, landed, uuid.uuid4()))
    priced = conn.execute(
        "select count(*) from pokewatch.prices where as_of = %s and market > 0", (landed,)
    ).fetchone()[0]
    assert first.rows == priced * len(settings.profiles) and first.coverage == 1.0  # once per cost profile
    rows = conn.execute(
        "select product_id, variant, market_price, fair_price, fair_low, fair_high, signal, confidence, model_version,"
        " profile from pokewatch.signals order by 1, 2, 10"
    ).fetchall()
    assert all(r[4] <= r[3] <= r[5] for r in rows)
    assert all(0 <= r[7] <= 1 and r[8] == first.model_version for r in rows)
    scoring.score(settings, scoring.request(settings, landed, uuid.uuid4()))
    again = conn.execute(
        "select product_id, variant, market_price, fair_price, fair_low, fair_high, signal, confidence, model_version,"
        " profile from pokewatch.signals order by 1, 2, 10"
    ).fetchall()
    assert again == rows


def test_a_buy_or_sell_class_without_a_proven_record_is_published_as_hold_with_its_numbers(trained_copy, landed,
                                                                                          trained_conn):
    """Scoring with fee-free profiles so the model proposes BUYs and SELLs (the product never scores so): without a
    walk-forward record every one is HOLD; with a proven collector BUY record and an unproven seller SELL one, only
    the collector's BUYs remain."""
    from pokewatch.edge import ClassEdge, save_edges
    from pokewatch.signals import SignalRule
    from tests.support.warehouse import ZERO_COSTS

    # A champion trained with NO_SKILL_GATE, without refreshing the record: a copy of the session's training.
    settings, conn = trained_copy, trained_conn
    assert registry.load_alias(settings, registry.CHAMPION) is not None
    rule = SignalRule.from_settings(settings, **ZERO_COSTS)
    ungated = settings.model_copy(update={"require_proven_edge": False})
    first = scoring.score(ungated, scoring.request(ungated, landed, uuid.uuid4(), rule))
    proposed = conn.execute("select profile, signal, count(*) from pokewatch.signals where as_of = %s "
                            "and signal <> 'HOLD' group by 1, 2", (landed,)).fetchall()
    proposed = {(p, s): n for p, s, n in proposed}
    assert len(first.top) and not first.top["card_name"].str.startswith("product #").any()  # named in the summary
    assert proposed.get(("collector", "BUY"), 0) > 0  # the demo day without fees: collector BUYs
    held = scoring.score(settings, scoring.request(settings, landed, uuid.uuid4(), rule))
    assert held.counts == {"BUY": 0, "SELL": 0, "HOLD": held.rows}
    reasons = dict(conn.execute("select reason, count(*) from pokewatch.signals where reason like 'no proven edge%' "
                                "group by reason").fetchall())
    expected = {f"no proven edge for {s} at 7 days for {p}: no walk-forward record (run `pokewatch backtest --store`)":
                n for (p, s), n in proposed.items()}
    assert reasons == expected
    buy = ClassEdge(7, "BUY", "collector", 500, 8, 0.6, 0.02, 0.01, 0.005, 0.035, 0.01, 0.002, True, "proven BUY")
    sell = ClassEdge(7, "SELL", "seller", 400, 8, 0.4, -0.01, -0.01, -0.02, 0.0, -0.01, -0.02, False, "no proven SELL")
    save_edges(conn, [buy, sell], "test", "", None)
    gated = scoring.score(settings, scoring.request(settings, landed, uuid.uuid4(), rule))
    buys = proposed[("collector", "BUY")]
    assert gated.counts == {"BUY": buys, "SELL": 0, "HOLD": gated.rows - buys}
    assert conn.execute("select count(*) from pokewatch.signals where reason = 'no proven SELL' "
                        "and as_of = %s", (landed,)).fetchone()[0] == proposed.get(("seller", "SELL"), 0)