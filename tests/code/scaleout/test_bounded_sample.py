"""The walk-forward's bounded sample: all of a small history, a stable nested sample of whole products above it."""

import pandas as pd

from pokewatch import demo
from pokewatch.scaleout import bounded_sample
from pokewatch.sources.files import read_price_history


def _cells(history: pd.DataFrame) -> int:
    return history["as_of"].nunique() * len(history[["product_id", "variant"]].drop_duplicates())


def test_a_history_within_the_bound_is_kept_whole_and_a_larger_one_is_a_stable_sample_of_products():
    history = read_price_history(demo.SAMPLE_PRICES)
    cells = _cells(history)
    assert bounded_sample(history, cells) is history
    half = bounded_sample(history, cells // 2)
    assert 0.35 * cells < _cells(half) <= 0.6 * cells  # about the share asked for (a hash, not a count)
    pd.testing.assert_frame_equal(half, bounded_sample(history, cells // 2))  # the same products every night
    kept = set(half["product_id"])
    whole = history[history["product_id"].isin(kept)]
    assert len(whole) == len(half)  # every variant and day of a kept product
    assert set(bounded_sample(history, cells // 4)["product_id"]) < kept  # a smaller bound: fewer of the same
