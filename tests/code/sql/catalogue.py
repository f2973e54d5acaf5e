"""Signals for the full real catalogue of one day (≈ 43k series), built from the shared tcgcsv history."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

DAY = dt.date(2025, 10, 26)


def catalogue_signals(history: Path, day: dt.date = DAY, run_id: uuid.UUID | None = None,
                      copies: int = 1, model_version: int = 1) -> pd.DataFrame:
    """One HOLD signal per priced series of `day` (fair = market, a ±10 % band); `copies` > 1 repeats the
    catalogue under shifted product ids to make a bigger frame."""
    table = pq.read_table(history, columns=["date", "productId", "subTypeName", "marketPrice"],
                          filters=[("date", "=", day)])
    prices = table.to_pandas()
    prices = prices[prices["marketPrice"] > 0].drop_duplicates(["productId", "subTypeName"])
    market = prices["marketPrice"].round(2).to_numpy()
    one = pd.DataFrame({
        "product_id": prices["productId"].to_numpy(np.int64),
        "variant": prices["subTypeName"].to_numpy(),
        "as_of": day,
        "model_version": model_version,
        "market_price": market,
        "fair_price": market,
        "fair_low": (market * 0.9).round(2),
        "fair_high": (market * 1.1).round(2),
        "deviation_pct": 0.0,
        "signal": "HOLD",
        "confidence": 0.5,
        "reason": "within fair band",
        "run_id": str(run_id or uuid.uuid4()),
        "cost_share": 0.25, "horizon_days": 7, "profile": "collector", "net_return": -0.25,
    })
    frames = [one.assign(product_id=one["product_id"] + k * 1_000_000_000) for k in range(copies)]
    return pd.concat(frames, ignore_index=True)
