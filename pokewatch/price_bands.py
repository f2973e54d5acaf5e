"""Price bands ($): relative noise differs by price level, so the model's band and shrinkage, the evaluation's
slices and the track record are each taken per band. Plain pandas (no scikit-learn: `status` and the track record
import it)."""

from __future__ import annotations

import numpy as np
import pandas as pd

PRICE_BANDS = [0, 1, 5, 20, 100, np.inf]
PRICE_BAND_LABELS = ["<$1", "$1-5", "$5-20", "$20-100", ">$100"]


def price_band(prices: pd.Series | np.ndarray) -> pd.Categorical:
    return pd.cut(np.asarray(prices, dtype=float), PRICE_BANDS, labels=PRICE_BAND_LABELS, right=False)
