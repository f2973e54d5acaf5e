"""validate_features and validate_signals on frames derived from real tcgcsv days."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pokewatch.features import FEATURES, build_panel, frame_for_days
from pokewatch.validation import ValidationFailed, validate_features, validate_signals


@pytest.fixture(scope="module")
def real_features(small_history) -> pd.DataFrame:
    """Feature rows of the last real day, built by pokewatch.features from a few real sets."""
    panel = build_panel(small_history)
    return frame_for_days(panel, list(range(len(panel.days) - 5, len(panel.days))))


@pytest.fixture
def features(real_features) -> pd.DataFrame:
    return real_features.copy()


def test_real_features_pass_and_may_hold_nan(features):
    assert validate_features(features).passed
    features.loc[features.index[:10], [f for f in FEATURES if f not in ("log_last", "days_observed")]] = np.nan
    report = validate_features(features, dataset="training features")
    assert report.passed and report.dataset == "training features"


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("ret_1", np.inf, "expect_column_values_to_be_between(-1e+300 <= ret_1 <= 1e+300): 1 row"),
        ("vol_7", -np.inf, "vol_7"),
        ("log_last", np.nan, "expect_column_values_to_not_be_null(log_last): 1 row"),
        ("log_last", np.inf, "log_last"),
        ("days_observed", 0, "expect_column_values_to_be_between(days_observed >= 1): 1 row"),
        ("flat_share_30", 1.5, "expect_column_values_to_be_between(0 <= flat_share_30 <= 1): 1 row"),
    ],
)
def test_bad_feature_values_are_critical(features, column, value, fragment):
    features[column] = features[column].astype("float64")
    features.loc[features.index[3], column] = value
    with pytest.raises(ValidationFailed) as caught:
        validate_features(features)
    assert str(caught.value).startswith("features for "), str(caught.value)
    assert fragment in str(caught.value), str(caught.value)


def test_a_missing_feature_column_is_critical(features):
    with pytest.raises(ValidationFailed, match=r"expect_column_to_exist\(momentum_3\)"):
        validate_features(features.drop(columns=["momentum_3"]))


@pytest.fixture
def signals(real_features) -> pd.DataFrame:
    """Signals shaped like pokewatch.publish.SIGNAL_COLUMNS around the real last market prices."""
    last = real_features[real_features["as_of"] == real_features["as_of"].max()].dropna(subset=["market"])
    market = last["market"].to_numpy()
    return pd.DataFrame(
        {
            "product_id": last["product_id"].to_numpy(),
            "variant": last["variant"].to_numpy(),
            "as_of": last["as_of"].to_numpy(),
            "model_version": 3,
            "market_price": market,
            "fair_price": market * 1.05,
            "fair_low": market * 0.95,
            "fair_high": market * 1.15,
            "deviation_pct": -4.8,
            "signal": np.where(market > 5, "BUY", "HOLD"),
            "confidence": 0.7,
            "reason": "test",
            "run_id": "00000000-0000-0000-0000-000000000001",
            "horizon_days": 7,
            "profile": "collector",
        }
    )


def test_good_signals_pass(signals):
    report = validate_signals(signals)
    assert report.passed and report.rows == len(signals)


@pytest.mark.parametrize(
    ("defect", "fragment"),
    [
        ("signal", "expect_column_values_to_be_in_set(signal in ['BUY', 'SELL', 'HOLD']): 1 row"),
        ("band", "expect_column_pair_values_a_to_be_greater_than_b(fair_price >= fair_low): 1 row"),
        ("band_high", "expect_column_pair_values_a_to_be_greater_than_b(fair_high >= fair_price): 1 row"),
        ("confidence", "expect_column_values_to_be_between(0 <= confidence <= 1): 1 row"),
        ("duplicate", "expect_compound_columns_to_be_unique(product_id, variant, horizon_days, profile): 2 rows"),
        ("model_version", "expect_column_values_to_not_be_null(model_version)"),
        ("no_model_version", "expect_column_to_exist(model_version)"),
    ],
)
def test_bad_signals_are_critical(signals, defect, fragment):
    row = signals.index[4]
    if defect == "signal":
        signals.loc[row, "signal"] = "STRONG BUY"
    elif defect == "band":
        signals.loc[row, "fair_low"] = signals.loc[row, "fair_price"] + 1
    elif defect == "band_high":
        signals.loc[row, "fair_high"] = signals.loc[row, "fair_price"] - 0.01
    elif defect == "confidence":
        signals.loc[row, "confidence"] = 1.2
    elif defect == "duplicate":
        signals = pd.concat([signals, signals.loc[[row]]], ignore_index=True)
    elif defect == "model_version":
        signals["model_version"] = signals["model_version"].astype("float64")
        signals.loc[row, "model_version"] = np.nan
    else:
        signals = signals.drop(columns=["model_version"])
    with pytest.raises(ValidationFailed) as caught:
        validate_signals(signals)
    assert str(caught.value).startswith("signals for "), str(caught.value)
    assert fragment in str(caught.value), str(caught.value)


def test_the_features_suite_covers_every_model_feature():
    """Suites are never changed at run time: a feature added to the model needs its expectations in the JSON."""
    from pokewatch.features import FEATURES
    from pokewatch.validation.suites import suite_json

    checked = {(e["meta"]["name"], e["kwargs"].get("column")) for e in suite_json("features")["expectations"]}
    for column in FEATURES:
        assert ("feature_present", column) in checked and ("feature_finite", column) in checked, column
