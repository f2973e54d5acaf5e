"""The fair-price model: gradient-boosted log-ratio to the last price, shrunk where it does not help, with a band.

Market prices are sticky (three daily changes in four are exactly zero), so the last price is a strong
baseline. The boosted model predicts log(fair / last); on the calibration days, separately in each price
band, the prediction is soft-thresholded by a dead zone and multiplied by a shrinkage factor, the pair
(DEAD_ZONE_GRID × SHRINK_GRID) that minimises the absolute percentage error there (factor 0 = the last
price). A band where even the best pair beats the last price by less than MIN_RELATIVE_GAIN on the
calibration days predicts the last price: a guarded model. Where the model does not help out of sample, it falls back
to the last price instead of adding noise. The band is split-conformal on the same calibration days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import HistGradientBoostingRegressor

from pokewatch.features import CATEGORICAL_FEATURES, FEATURES
from pokewatch.price_bands import PRICE_BAND_LABELS, price_band

SHRINK_GRID = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
# Sticky prices: a predicted move smaller than this dead zone is treated as no move (soft threshold).
DEAD_ZONE_GRID = (0.0, 0.002, 0.005, 0.01, 0.02, 0.04)
MIN_BAND_ROWS = 50
# The guard: a band keeps the model only if it beats the last price on the calibration days by this share.
MIN_RELATIVE_GAIN = 0.005


def _soft(values: np.ndarray, shrink: float, dead_zone: float) -> np.ndarray:
    return shrink * np.sign(values) * np.maximum(np.abs(values) - dead_zone, 0.0)


def _ape(log_ratio_true: np.ndarray, log_ratio_pred: np.ndarray) -> np.ndarray:
    """|fair - target| / target, written with log ratios to the last price."""
    return np.abs(np.expm1(log_ratio_pred - log_ratio_true))


class FairPriceModel(BaseEstimator, RegressorMixin):
    """Predicts log(fair / last price); `predict_band` turns that into fair price and an interval.

    `shrink=True` (the default) learns one shrinkage factor per price band on the calibration slice
    (see the module docstring); `shrink=False` uses the raw boosted prediction. The interval is
    split-conformal: quantiles of out-of-sample residuals on the calibration slice, one pair per price
    band, so the nominal `band_level` holds where the noise differs.
    """

    def __init__(self, band_level: float = 0.8, max_iter: int = 200, learning_rate: float = 0.08,
                 max_leaf_nodes: int = 31, min_samples_leaf: int = 20, shrink: bool = True,
                 random_state: int = 42):
        self.band_level = band_level
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.shrink = shrink
        self.random_state = random_state

    def _regressor(self, features: list[str]) -> HistGradientBoostingRegressor:
        return HistGradientBoostingRegressor(
            loss="absolute_error",  # the median minimises absolute error: close to what MAPE rewards
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            categorical_features=[features.index(c) for c in CATEGORICAL_FEATURES if c in features] or None,
            early_stopping=False,
            random_state=self.random_state,
        )

    @staticmethod
    def log_target(frame: pd.DataFrame) -> np.ndarray:
        return np.log(frame["target"].to_numpy()) - frame["log_last"].to_numpy()

    def _bands(self, frame: pd.DataFrame) -> np.ndarray:
        return np.asarray(price_band(np.exp(frame["log_last"].to_numpy(float))).astype(str))

    def fit(self, train: pd.DataFrame, calibration: pd.DataFrame) -> FairPriceModel:
        # A feature a dataset never has (sealed products have no low/mid/high) carries no information.
        self.features_ = [f for f in FEATURES if train[f].notna().any()]
        self.regressor_ = self._regressor(self.features_).fit(
            train[self.features_].to_numpy(float), self.log_target(train)
        )
        truth = self.log_target(calibration)
        raw = self.raw_predict(calibration)
        bands = self._bands(calibration)
        self.shrink_ = {}
        for label in PRICE_BAND_LABELS:
            mask = bands == label
            if not self.shrink:
                self.shrink_[label] = (1.0, 0.0)
            elif mask.sum() < MIN_BAND_ROWS:
                self.shrink_[label] = (0.0, 0.0)  # too few calibration rows to trust the model there: last price
            else:
                grid = [(s, z) for s in SHRINK_GRID for z in DEAD_ZONE_GRID]
                errors = [_ape(truth[mask], _soft(raw[mask], s, z)).mean() for s, z in grid]
                best = int(np.argmin(errors))
                last_price_error = _ape(truth[mask], np.zeros(int(mask.sum()))).mean()
                if errors[best] > last_price_error * (1 - MIN_RELATIVE_GAIN):
                    best = 0  # (0, 0): the model does not clearly help here, predict the last price
                self.shrink_[label] = tuple(float(x) for x in grid[best])
        residuals = truth - self.predict(calibration)
        alpha = (1 - self.band_level) / 2
        overall = (float(np.quantile(residuals, alpha)), float(np.quantile(residuals, 1 - alpha)))
        self.band_quantiles_ = {}
        for label in PRICE_BAND_LABELS:
            r = residuals[bands == label]
            self.band_quantiles_[label] = (
                (float(np.quantile(r, alpha)), float(np.quantile(r, 1 - alpha))) if len(r) >= MIN_BAND_ROWS
                else overall
            )
        self.n_train_, self.n_calibration_ = len(train), len(calibration)
        return self

    def raw_predict(self, frame: pd.DataFrame) -> np.ndarray:
        """The boosted log ratio before shrinkage."""
        features = getattr(self, "features_", FEATURES)
        return self.regressor_.predict(frame[features].to_numpy(float))

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """log(fair price / last price) for each row."""
        raw = self.raw_predict(frame)
        shrink = getattr(self, "shrink_", None)
        if not shrink:
            return raw
        bands = self._bands(frame)
        out = np.zeros_like(raw)  # a band never calibrated predicts no move: the last price
        for label, (factor, dead_zone) in shrink.items():
            mask = bands == label
            out[mask] = _soft(raw[mask], factor, dead_zone)
        return out

    def predict_band(self, frame: pd.DataFrame) -> pd.DataFrame:
        log_last = frame["log_last"].to_numpy()
        point = self.predict(frame)
        labels = self._bands(frame)
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
