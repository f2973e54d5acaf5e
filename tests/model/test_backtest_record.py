"""`pokewatch track-record --rebuild`'s rows: the walk-forward's decisions graded like live signals."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from pokewatch import backtest, track_record
from pokewatch.costs import load_profiles
from pokewatch.db import copy_out
from pokewatch.demo import SAMPLE_PRICES
from pokewatch.sources.files import read_price_history


def test_walk_forward_decisions_are_graded_by_prices_after_the_day_and_up_to_its_end_and_replace_the_old(settings,
                                                                                                        conn):
    prices = read_price_history(SAMPLE_PRICES)
    keep = prices["product_id"].isin(sorted(prices["product_id"].unique())[:400])
    history = prices[keep & (pd.to_datetime(prices["as_of"]) >= pd.Timestamp("2025-05-01"))]
    flipper = load_profiles(conn, ["flipper"])["flipper"]
    result = backtest.run_backtest(settings, "sample", [flipper], horizons=(7,), history=history,
                                   log_to_mlflow=False, keep_decisions=True, max_iter=20)
    rows = pd.concat(result.decisions, ignore_index=True)
    model = next(r for r in result.rows if r["strategy"] == "model")
    assert (rows["profile"] == "flipper").all()
    assert np.allclose(rows["trade_return"], flipper.net_return(rows["market_price"].astype(float).to_numpy(),
                                                                rows["realised_price"].astype(float).to_numpy()))
    assert 0.9 * model["decisions"] <= len(rows) <= model["decisions"]
    assert (rows["kind"] == "backtest").all() and (rows["model_version"] == 0).all()
    as_of, realised = pd.to_datetime(rows["as_of"]), pd.to_datetime(rows["realised_day"])
    assert ((realised > as_of) & (realised <= as_of + pd.Timedelta(days=7))).all()
    market = history.assign(as_of=pd.to_datetime(history["as_of"])).set_index(["product_id", "variant", "as_of"])
    met = market["market"].astype(float).reindex(pd.MultiIndex.from_arrays(
        [rows["product_id"], rows["variant"], realised])).to_numpy()
    assert np.allclose(met, rows["realised_price"].astype(float))
    first = track_record.replace_backtest(conn, rows)
    again = track_record.replace_backtest(conn, rows.iloc[: len(rows) // 2])
    stored = copy_out(conn, "select count(*) as n, min(as_of) as first from pokewatch.signal_outcomes "
                            "where kind = 'backtest'")
    assert first == len(rows) and again == stored["n"][0] == len(rows) // 2
    assert dt.date.fromisoformat(str(stored["first"][0])) == min(rows["as_of"])
