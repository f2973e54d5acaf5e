"""Training on the full catalogue: import the 36-day tcgcsv history into a scratch database, then train.train.

    uv run python benchmarks/train_bench.py [--server postgresql://postgres@127.0.0.1/postgres] [--repeat 3]

Creates a scratch database on the server, migrates it, lands the shared parquet with
pokewatch.collect.import_history, then times train.train(settings, 2025-10-26) --repeat times (each one a
full run: history read with COPY, features, fit, calibration, evaluation against the three baselines and
the champion, MLflow logging with plots, registration, model_metrics). The first run has no champion;
later runs are also scored against it. Prints a markdown table of the held-out numbers and the times.
Set OMP_NUM_THREADS to bound scikit-learn's threads on a shared machine (the table says what was used).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

from benchmarks.common import scratch_database, settings_for
from pokewatch import schema
from pokewatch.collect import import_history
from pokewatch.settings import PROJECT_DIR

HISTORY = PROJECT_DIR.parent / "shared/data/tcgcsv/tcgcsv_prices_cat3_pokemon_2025-09-21_2025-10-26.parquet"
DAY = dt.date(2025, 10, 26)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", help="PostgreSQL server for the scratch database (default: see benchmarks/common.py)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--history", type=Path, default=HISTORY)
    args = parser.parse_args()

    from pokewatch import train

    if args.server:
        os.environ["POKEWATCH_BENCH_DATABASE_URL"] = args.server
    os.environ.pop("MLFLOW_TRACKING_URI", None)
    with scratch_database() as name:
        settings = settings_for(name)
        schema.migrate(settings)
        started = time.perf_counter()
        landed = import_history(settings, args.history)
        import_seconds = time.perf_counter() - started
        results = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = train.train(settings, DAY)
            results.append((time.perf_counter() - started, result))

    seconds = [s for s, _ in results]
    first = results[0][1]
    m = first.metrics
    print(f"## Training on the full catalogue ({args.history.name}, as_of {DAY})\n")
    print(f"Import: {getattr(landed, 'rows', '?'):,} rows in {import_seconds:.1f} s. "
          f"Fit rows {first.rows:,}; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}; "
          f"{os.cpu_count()} CPUs.\n")
    print("| run | seconds | version | decision |")
    print("|---|---|---|---|")
    for i, (s, r) in enumerate(results, 1):
        print(f"| {i} | {s:.1f} | {r.version} | {'promoted' if r.promoted else 'kept champion'}: {r.reason} |")
    print(f"\nMedian of {len(seconds)}: **{statistics.median(seconds):.1f} s**.\n")
    print("| held-out (same rows) | MAPE | median APE |")
    print("|---|---|---|")
    print(f"| model | {m['mape']:.3%} | {m['median_ape']:.3%} |")
    for b in ("last_price", "rolling_median_7", "seed_mean_3"):
        print(f"| {b} | {m[f'{b}_mape']:.3%} | {m[f'{b}_median_ape']:.3%} |")
    print(f"\nBand coverage {m['band_coverage']:.1%}, coverage {m['coverage']:.1%}, test rows {m['n']:,}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
