"""Champion/challenger bookkeeping in a real MLflow store: gates, promotion by hand, rollback."""

import pytest

from pokewatch import registry
from pokewatch.settings import Settings
from pokewatch.train import decide

GOOD = {"mape": 0.05, "coverage": 0.95, "band_coverage": 0.80, "last_price_mape": 0.06,
        "skill": 0.01, "skill_low": 0.004, "skill_high": 0.016, "skill_n": 12_345}


@pytest.fixture
def mlflow_settings(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    return Settings(home=tmp_path / "home").prepare()


def _versions(settings, n):
    """n registered versions of the model (the alias logic needs versions, not fitted models)."""
    client = registry.mlflow_client(settings)
    client.create_registered_model(settings.model_name)
    src = settings.home_dir / "model"
    src.mkdir()
    return [int(client.create_model_version(settings.model_name, src.as_uri()).version) for _ in range(n)]


def _champion(settings):
    return int(registry.mlflow_client(settings).get_model_version_by_alias(settings.model_name, "champion").version)


def test_gates_each_name_the_number_that_failed():
    s = Settings()
    assert decide(s, {**GOOD, "mape": 0.25}, None, [], [])[1].startswith("MAPE 25.0% is above the gate")
    assert "coverage 50.0% is below" in decide(s, {**GOOD, "coverage": 0.5}, None, [], [])[1]
    assert "band coverage 90.0% is outside 75%-85%" in decide(s, {**GOOD, "band_coverage": 0.9}, None, [], [])[1]
    assert "band coverage 70.0% is outside" in decide(s, {**GOOD, "band_coverage": 0.7}, None, [], [])[1]
    ok, reason = decide(s, GOOD, None, [], [])
    assert ok and reason.startswith("first model to pass")


def test_a_model_whose_gain_over_last_price_may_be_zero_is_not_promoted_and_says_by_how_much():
    s = Settings()
    tie = {**GOOD, "mape": 0.0599, "skill": 0.0001, "skill_low": -0.0002, "skill_high": 0.0004}
    ok, reason = decide(s, tie, None, [], [])
    assert not ok
    assert reason == ("no edge at 7 days: MAPE 5.99% vs last price 6.00% on the same 12,345 held-out rows; "
                      "skill +0.010 pts (90% interval -0.020..+0.040) does not clear +0.000")
    assert not decide(s, tie, {"mape": 0.07}, [], [])[0]  # beating a worse champion is not enough
    assert decide(s.model_copy(update={"min_skill": -0.001}), tie, None, [], [])[0]


def test_the_champion_must_be_beaten_by_the_margin_without_a_slice_regressing():
    s = Settings(champion_margin=0.05, slice_tolerance=0.01)
    # 4.9 % vs 5.0 %: better, but not by 5 %.
    ok, reason = decide(s, {**GOOD, "mape": 0.049}, {"mape": 0.05}, [], [])
    assert not ok and "does not beat the champion" in reason
    ok, _ = decide(s, {**GOOD, "mape": 0.047}, {"mape": 0.05}, [], [])
    assert ok
    theirs = [{"slice": "price_band", "value": "<$1", "mape": 0.10}]
    worse = [{"slice": "price_band", "value": "<$1", "mape": 0.12}]
    within = [{"slice": "price_band", "value": "<$1", "mape": 0.105}]
    ok, reason = decide(s, {**GOOD, "mape": 0.04}, {"mape": 0.05}, worse, theirs)
    assert not ok and reason.startswith("slice price_band=<$1 regresses")
    assert decide(s, {**GOOD, "mape": 0.04}, {"mape": 0.05}, within, theirs)[0]


def test_promote_by_hand_then_roll_back(mlflow_settings):
    s = mlflow_settings
    v1, v2, v3 = _versions(s, 3)
    assert registry.set_champion(s, v1, "first") is None
    assert registry.set_champion(s, v2, "second") == v1
    assert _champion(s) == v2
    client = registry.mlflow_client(s)
    assert client.get_model_version(s.model_name, str(v2)).tags["replaced_champion"] == str(v1)
    assert client.get_model_version(s.model_name, str(v2)).tags["champion_reason"] == "second"

    assert registry.rollback_champion(s) == (v2, v1)
    assert _champion(s) == v1
    assert client.get_model_version(s.model_name, str(v2)).tags["rolled_back"] == "true"
    # v1 replaced nothing: a second rollback has nowhere to go and says so.
    with pytest.raises(RuntimeError, match="nothing to roll back to"):
        registry.rollback_champion(s)
    assert _champion(s) == v1


def test_promoting_a_version_that_does_not_exist_fails_and_keeps_the_champion(mlflow_settings):
    from mlflow.exceptions import MlflowException

    s = mlflow_settings
    (v1,) = _versions(s, 1)
    registry.set_champion(s, v1, "first")
    with pytest.raises(MlflowException):
        registry.set_champion(s, 99, "no such version")
    assert _champion(s) == v1


def test_record_decision_tags_the_version_and_moves_the_alias_only_on_promotion(mlflow_settings):
    s = mlflow_settings
    v1, v2 = _versions(s, 2)
    registry.record_decision(s, v1, True, "first model to pass the gates")
    registry.record_decision(s, v2, False, "MAPE 3% does not beat the champion's 2%")
    client = registry.mlflow_client(s)
    assert client.get_model_version(s.model_name, str(v2)).tags["decision"] == "rejected"
    assert client.get_model_version(s.model_name, str(v2)).tags["decision_reason"].startswith("MAPE 3%")
    assert client.get_model_version(s.model_name, str(v1)).tags["decision"] == "champion"
    assert _champion(s) == v1


def test_cli_promote_and_rollback(mlflow_settings, monkeypatch):
    from typer.testing import CliRunner

    from pokewatch import cli
    from pokewatch.settings import get_settings

    s = mlflow_settings
    v1, v2 = _versions(s, 2)
    monkeypatch.setenv("POKEWATCH_HOME", str(s.home))
    get_settings.cache_clear()
    runner = CliRunner()
    out = runner.invoke(cli.app, ["model", "promote", str(v1)])
    assert out.exit_code == 0, out.output
    out = runner.invoke(cli.app, ["model", "promote", str(v2), "--reason", "better on the same days"])
    assert out.exit_code == 0 and f"was {v1}" in out.output
    out = runner.invoke(cli.app, ["model", "rollback"])
    assert out.exit_code == 0 and f"version {v1} (rolled back from {v2})" in out.output
    get_settings.cache_clear()
    assert _champion(s) == v1
