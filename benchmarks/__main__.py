"""Run the benchmarks and write benchmarks/results/latest.md: `uv run python -m benchmarks [B1 B2 B3 B4 B5]`."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import platform
import sys

from benchmarks.common import RESULTS
from pokewatch.settings import get_settings

BENCHMARKS = {
    "B1": "benchmarks.b1_nightly",
    "B2": "benchmarks.b2_publish",
    "B3": "benchmarks.b3_scale",
    "B4": "benchmarks.b4_ingest",
    "B5": "benchmarks.b5_startup",
    "B6": "benchmarks.b6_dask",
    "B7": "benchmarks.b7_threads",
}


def main(names: list[str]) -> None:
    get_settings()  # quiet Prefect/MLflow before anything imports them
    chosen = [n.upper() for n in names] or list(BENCHMARKS)
    unknown = [n for n in chosen if n not in BENCHMARKS]
    if unknown:
        sys.exit(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    machine = f"{platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    for name in chosen:
        print(f"running {name} …", flush=True)
        text, _ = importlib.import_module(BENCHMARKS[name]).run()
        print(text + "\n", flush=True)
        stamp = f"_{name}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine}_"
        (RESULTS / f"{name}.md").write_text(f"{text}\n\n{stamp}\n")
    write_latest()


def write_latest() -> None:
    """latest.md gathers the newest result of every benchmark, each stamped with when and where it ran, then the
    reading of those numbers against issue 19's targets (results/analysis.md, written by hand)."""
    sections = ["# PokeWatch benchmarks"] + [(RESULTS / f"{n}.md").read_text() for n in [*BENCHMARKS, "analysis"]
                                             if (RESULTS / f"{n}.md").exists()]
    (RESULTS / "latest.md").write_text("\n\n".join(sections))
    print(f"written to {RESULTS / 'latest.md'}")


if __name__ == "__main__":
    main(sys.argv[1:])
