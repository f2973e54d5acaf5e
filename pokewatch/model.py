"""The fair-price model: gradient-boosted log-ratio to the last price, with a conformal band."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import HistGradientBoostingRegressor

from pokewatch.features import CATEGORICAL_FEATURES, FEATURES

# Relative noise differs by price level: the band is calibrated separately in each of these bands ($).
PRICE_BANDS = [0, 1, 5, 20, 100, np.inf]
PRICE_BAND_LABELS = ["<$1", "$1-5", "$5-20", "$20-100", ">$100"]


def price_band(prices: pd.Series | np.ndarray) -> pd.Categorical:
    return pd.cut(np.asarray(prices, dtype=float), PRICE_BANDS, labels=PRICE_BAND_LABELS, right=False)


class FairPriceModel(BaseEstimator, RegressorMixin):
    """Predicts log(fair / last price); `predict_band` turns that into fair price and an interval.

    The interval is split-conformal: quantiles of out-of-sample residuals on a calibration slice,
    one pair per price band, so the nominal `band_level` holds where the noise differs.
    """

    def __init__(self, band_level: float = 0.8, max_iter: int = 200, learning_rate: float = 0.08,
                 max_leaf_nodes: int = 31, random_state: int = 42):
        self.band_level = band_level
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.random_state = random_state

    def _regressor(self) -> HistGradientBoostingRegressor:
        return HistGradientBoostingRegressor(
            loss="absolute_error",  # the median minimises absolute error: close to what MAPE rewards
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            categorical_features=[FEATURES.index(c) for c in CATEGORICAL_FEATURES],
            early_stopping=False,
            random_state=self.random_state,
        )

    @staticmethod
    def log_target(frame: pd.DataFrame) -> np.ndarray:
        return np.log(frame["target"].to_numpy()) - frame["log_last"].to_numpy()

    def fit(self, train: pd.DataFrame, calibration: pd.DataFrame) -> FairPriceModel:
        self.regressor_ = self._regressor().fit(train[FEATURES].to_numpy(), self.log_target(train))
        residuals = self.log_target(calibration) - self.predict(calibration)
        bands = price_band(np.exp(calibration["log_last"]))
        alpha = (1 - self.band_level) / 2
        overall = (float(np.quantile(residuals, alpha)), float(np.quantile(residuals, 1 - alpha)))
        self.band_quantiles_ = {}
        for label in PRICE_BAND_LABELS:
            r = residuals[np.asarray(bands == label)]
            self.band_quantiles_[label] = (
                (float(np.quantile(r, alpha)), float(np.quantile(r, 1 - alpha))) if len(r) >= 50 else overall
            )
        self.n_train_, self.n_calibration_ = len(train), len(calibration)
        return self

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """log(fair price / last price) for each row."""
        return self.regressor_.predict(frame[FEATURES].to_numpy())

    def predict_band(self, frame: pd.DataFrame) -> pd.DataFrame:
        log_last = frame["log_last"].to_numpy()
        point = self.predict(frame)
        labels = np.asarray(price_band(np.exp(log_last)).astype(str))
        lo = np.array([self.band_quantiles_.get(b, (0.0, 0.0))[0] for b in labels])
        hi = np.array([self.band_quantiles_.get(b, (0.0, 0.0))[1] for b in labels])
        fair = np.exp(log_last + point)
        return pd.DataFrame(
            {
                "fair_price": fair,
                "fair_low": np.minimum(fair, np.exp(log_last + point + lo)),
                "fair_high": np.maximum(fair, np.exp(log_last + point + hi)),
            },
            index=frame.index,
        )
