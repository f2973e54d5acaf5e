"""Benchmark (not a test): the daily_prices suite on the full 36-day history in one frame and on one day.

    uv run python benchmarks/validation_bench.py [--repeat 3]

Prints a markdown table (median of N runs; the first GX import/context creation is timed separately).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from pathlib import Path

from pokewatch.settings import PROJECT_DIR
from pokewatch.sources.files import read_price_history

HISTORY = PROJECT_DIR.parent / "shared/data/tcgcsv/tcgcsv_prices_cat3_pokemon_2025-09-21_2025-10-26.parquet"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--history", type=Path, default=HISTORY)
    args = parser.parse_args()

    history = read_price_history(args.history)
    days = sorted(history["as_of"].unique())
    last, before = days[-1], days[-2]
    day = history[history["as_of"] == last]
    previous = history[history["as_of"] == before]
    today = last + dt.timedelta(days=1)

    started = time.perf_counter()
    from pokewatch.validation import validate_price_frame  # GX itself is imported on first use

    validate_price_frame(day, last, previous, today=today)
    first = time.perf_counter() - started

    cases = {
        f"full history, {len(days)} days in one frame": lambda: validate_price_frame(
            history, last, first_day=days[0], today=today
        ),
        f"one day ({last}) against the previous": lambda: validate_price_frame(day, last, previous, today=today),
    }
    rows = []
    for name, run in cases.items():
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            report = run()
            times.append(time.perf_counter() - t)
            assert report.passed and report.quarantined == 0, report.summary()
        rows.append((name, report.rows, len(report.results), statistics.median(times), min(times)))

    print(f"| case | rows | expectations | median of {args.repeat} (s) | best (s) | rows/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, n, k, median, best in rows:
        print(f"| {name} | {n:,} | {k} | {median:.2f} | {best:.2f} | {n / median:,.0f} |")
    print(f"\nFirst call in a fresh process (GX import + context + one day): {first:.1f} s")


if __name__ == "__main__":
    main()
