"""One row of docs/model.md's skill table: the model vs "last price" on the held-out week, with the skill interval.

    uv run python scripts/skill_table.py pokewatch/data/demo_prices.parquet 7
    uv run python scripts/skill_table.py ../shared/data/tcgcsv/tcgcsv_prices_cat3_pokemon_2025-09-21_2025-10-26.parquet
    uv run python scripts/skill_table.py sealed 30

The same split, model and skill measure as `train.train` (no MLflow, no database): a file in tcgcsv's price schema,
or `sealed` for the shared 610-day sealed history.
"""

from __future__ import annotations

import sys
import time

import pandas as pd

from pokewatch.backtest import load_dataset
from pokewatch.evaluate import band_coverage, error_metrics, paired_skill
from pokewatch.features import build_panel, frame_for_days
from pokewatch.model import FairPriceModel
from pokewatch.settings import Settings
from pokewatch.sources.files import read_price_history
from pokewatch.split import time_split


def main(path: str, horizon: int = 7) -> None:
    settings = Settings()
    history = load_dataset("sealed") if path == "sealed" else read_price_history(path)
    panel = build_panel(history)
    split = time_split(panel.day_index(pd.to_datetime(history["as_of"]).max().date()), horizon, settings.holdout_days)
    started = time.perf_counter()
    fit = frame_for_days(panel, split.fit_days, horizon, sample=settings.max_train_rows, seed=settings.random_seed)
    calibration = frame_for_days(panel, split.calibration_days, horizon)
    test = frame_for_days(panel, split.test_days, horizon)
    model = FairPriceModel(band_level=settings.band_level, random_state=settings.random_seed).fit(fit, calibration)
    band = model.predict_band(test)
    ours, naive = error_metrics(test["target"], band["fair_price"]), error_metrics(test["target"], test["baseline_last_price"])
    skill = paired_skill(test, band["fair_price"], level=settings.skill_level, seed=settings.random_seed)
    coverage = band_coverage(test["target"], band["fair_low"], band["fair_high"])
    print(f"| {path} | {horizon} d | {skill['n']:,} | {ours['mape']:.3%} | {naive['mape']:.3%} | "
          f"{skill['skill'] * 100:+.3f} | {skill['skill_low'] * 100:+.3f}..{skill['skill_high'] * 100:+.3f} | "
          f"band coverage {coverage:.1%} | {time.perf_counter() - started:.0f} s |")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 7)
