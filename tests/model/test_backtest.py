"""Walk-forward backtest on a small real slice of the sealed history: no look-ahead, honest accounting."""

import pandas as pd
import pytest

from pokewatch import backtest
from pokewatch.costs import CostProfile
from pokewatch.settings import Settings

SHIP = {"buyer_shipping_below_usd": 1.0, "buyer_shipping_above_usd": 4.5}
FEES = {"seller_fee_share": 0.1325, "seller_fixed_usd": 0.30, "seller_shipping_below_usd": 1.0,
        "seller_shipping_above_usd": 4.5}
PROFILES = [CostProfile("collector", "buy_to_keep", **SHIP), CostProfile("seller", "sell_held", **FEES),
            CostProfile("flipper", "buy_to_resell", **SHIP, **FEES)]


@pytest.fixture(scope="module")
def sealed_slice(shared_dir, tmp_path_factory):
    """80 real sealed products over 120 days (a slice of the shared parquet, nothing invented)."""
    raw = pd.read_parquet(shared_dir / "data/sealed/sealed_market_prices_daily_2024-02-08_2025-10-09.parquet")
    products = sorted(raw["productId"].unique())[:80]
    days = sorted(raw["date"].unique())[-120:]
    part = raw[raw["productId"].isin(products) & raw["date"].isin(days)]
    path = tmp_path_factory.mktemp("sealed") / "sealed_slice.parquet"
    part.to_parquet(path)
    return path


@pytest.fixture
def quiet_settings(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    return Settings(home=tmp_path / "home").prepare()


def test_sealed_history_has_the_shape_build_panel_expects(sealed_slice):
    history = backtest.load_dataset("sealed", sealed_slice)
    assert list(history.columns) == ["as_of", "product_id", "variant", "set_id", "low", "mid", "high", "market"]
    assert (history["variant"] == "Normal").all() and (history["set_id"] == 0).all()
    assert history["low"].isna().all()


def test_every_model_is_trained_on_targets_that_end_before_its_first_decision_day(sealed_slice, monkeypatch):
    from pokewatch.features import build_panel

    panel = build_panel(backtest.load_dataset("sealed", sealed_slice))
    frame = backtest._day_frame(panel)
    from pokewatch.features import target_array

    frame["target"] = target_array(panel, 7)[frame["day"].to_numpy(), frame["col"].to_numpy()]
    seen = {}

    def spy(self, train, calibration):
        seen["fit"], seen["cal"] = train["day"].max(), calibration["day"].max()
        raise StopIteration

    monkeypatch.setattr(backtest.FairPriceModel, "fit", spy)
    with pytest.raises(StopIteration):
        backtest._fit_at(frame, 60, 7, 120, 10_000, 10, 0.8, 0)
    # A target of day j covers days j+1..j+7: the latest one the model saw ends on day 59 at most.
    assert seen["cal"] + 7 < 60 and seen["fit"] < seen["cal"] - 2


def test_backtest_reports_each_strategy_per_profile_and_logs_to_mlflow(sealed_slice, quiet_settings):
    result = backtest.run_backtest(quiet_settings, "sealed", PROFILES, horizons=(7, 30), retrain_every=40,
                                   path=sealed_slice, max_iter=20, max_train_rows=5_000)
    strategies = {"model", "mean_reversion_30d", "always_hold"}
    assert {(r["horizon"], r["profile"], r["strategy"]) for r in result.rows} == {
        (h, p.profile, s) for h in (7, 30) for p in PROFILES
        for s in strategies | {"always_" + p.signal.lower()}
    }
    hold = [r for r in result.rows if r["strategy"] == "always_hold"]
    buy = [r for r in result.rows if r["strategy"] == "always_buy"]
    sell = [r for r in result.rows if r["strategy"] == "always_sell"]
    assert all(r["buy"] == r["decisions"] and r["sell"] == 0 for r in buy) and len(buy) == 4
    assert all(r["sell"] == r["decisions"] and r["buy"] == 0 for r in sell) and len(sell) == 2
    assert all(r["buy"] == r["sell"] == 0 and r["mean_return"] == 0 for r in hold)
    # the same market, two fee models: buying everything costs a flipper more than a collector
    drift = {(r["horizon"], r["profile"]): r["mean_return"] for r in buy}
    assert all(drift[(h, "flipper")] < drift[(h, "collector")] for h in (7, 30))
    assert {(e.horizon_days, e.profile, e.signal) for e in result.edges} == {
        (h, p.profile, p.signal) for h in (7, 30) for p in PROFILES}
    for r in result.rows:
        assert r["decisions"] > 0
        if r["buy"] + r["sell"]:
            assert 0 <= r["hit_rate"] <= 1 and r["mean_return"] >= -1.05
    assert {a["horizon"] for a in result.accuracy} == {7, 30}
    for a in result.accuracy:  # the ranking of each day's universe, with its interval over horizon-long blocks
        assert a["spearman_low"] <= a["spearman"] <= a["spearman_high"] and a["spearman_days"] > 0
    text = backtest.backtest_markdown(result)
    assert "| 7d | flipper | model |" in text and "mean_reversion_30d" in text and "daily Spearman" in text

    import mlflow

    run = mlflow.get_run(result.mlflow_run_id)
    assert run.data.params["dataset"] == "sealed"
    assert "h7_flipper_model_buy" in run.data.metrics and "h30_seller_always_sell_mean_return" in run.data.metrics
    assert "h30_spearman" in run.data.metrics
    assert mlflow.get_experiment(run.info.experiment_id).name == backtest.EXPERIMENT
