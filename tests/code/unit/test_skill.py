"""The skill gate's measure: model vs a naive baseline on the same rows, with an interval over whole series."""

import numpy as np
import pandas as pd
import pytest

from pokewatch.evaluate import paired_skill


def held_out(n_series=200, days=7, seed=1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    target = rng.lognormal(2.0, 1.0, n_series * days)
    return pd.DataFrame({
        "product_id": np.repeat(np.arange(n_series), days), "variant": "Normal", "target": target,
        "baseline_last_price": target * (1 + rng.choice([-0.1, 0.1], target.size)),  # always 10 % off
    })


def test_a_model_that_is_better_on_most_series_has_an_interval_above_zero():
    test = held_out()
    better = test["target"] * (1 + 0.05 * np.sign(test["baseline_last_price"] - test["target"]))  # 5 % off
    skill = paired_skill(test, better)
    assert skill["skill"] == pytest.approx(0.05)
    assert 0 < skill["skill_low"] <= skill["skill"] <= skill["skill_high"]
    assert skill["n"] == len(test) and skill["series"] == 200


def test_the_baseline_itself_has_no_skill_and_a_worse_model_an_interval_below_zero():
    test = held_out()
    same = paired_skill(test, test["baseline_last_price"])
    assert same["skill"] == same["skill_low"] == same["skill_high"] == 0.0
    worse = paired_skill(test, test["target"] * 1.2)
    assert worse["skill"] == pytest.approx(-0.1) and worse["skill_high"] < 0


def test_one_lucky_series_does_not_make_an_edge():
    """Skill concentrated in one series out of 200: the mean is positive, the interval is not."""
    test = held_out()
    model = test["baseline_last_price"].copy()
    lucky = test["product_id"] == 0
    model[lucky] = test.loc[lucky, "target"]
    skill = paired_skill(test, model)
    assert skill["skill"] > 0 and skill["skill_low"] <= 0


def test_rows_without_a_forecast_are_left_out_of_both_sides():
    test = held_out()
    model = test["baseline_last_price"].copy()
    model[:10] = np.nan
    assert paired_skill(test, model)["n"] == len(test) - 10


def test_daily_spearman_measures_how_well_each_day_s_universe_is_ranked():
    from pokewatch.evaluate import daily_spearman

    rng = np.random.default_rng(0)
    day = np.repeat(np.arange(40), 50)
    realised = rng.normal(1.0, 0.1, day.size)
    market = np.full(day.size, 10.0)

    def rows(predicted):
        return pd.DataFrame({"day": day, "market": market, "fair_price": 10.0 * predicted, "target": 10.0 * realised})

    perfect = daily_spearman(rows(realised), horizon=7)
    assert perfect["spearman"] == pytest.approx(1.0) and perfect["spearman_days"] == 40
    reverse = daily_spearman(rows(2.0 - realised), horizon=7)
    assert reverse["spearman"] == pytest.approx(-1.0)
    noise = daily_spearman(rows(rng.normal(1.0, 0.1, day.size)), horizon=7)
    assert noise["spearman_low"] < 0 < noise["spearman_high"] and abs(noise["spearman"]) < 0.1
    half = daily_spearman(rows(realised + rng.normal(0, 0.1, day.size)), horizon=7)
    assert 0.5 < half["spearman_low"] < half["spearman"] < half["spearman_high"] < 0.9
    few = daily_spearman(rows(realised).iloc[:19], horizon=7)  # a day needs 20 series to be ranked
    assert few["spearman_days"] == 0


def test_ranks_publish_only_with_a_daily_spearman_of_0_10_and_an_interval_above_zero():
    from pokewatch.ranking import record

    row = {"horizon": 30, "spearman": 0.315, "spearman_low": 0.287, "spearman_high": 0.342, "spearman_days": 540}
    assert record(row, 0.10) == (True, "ranking skill at 30 days: daily Spearman +0.315 (90% interval "
                                       "+0.287..+0.342) over 540 walk-forward days")
    weak = {**row, "horizon": 7, "spearman": 0.003, "spearman_low": 0.001, "spearman_high": 0.005}
    proven, why = record(weak, 0.10)
    assert not proven and why.startswith("no ranking skill (needs >= 0.10 with the interval above 0) at 7 days")
    assert not record({**row, "spearman_low": -0.01}, 0.10)[0]
    assert record({**row, "spearman_days": 0}, 0.10) == (
        False, "no ranking skill at 30 days: no decision day with 20 series to rank")
