"""B7 threads: the bare fit of B1's training rows with 1 and 2 scikit-learn (OpenMP) threads, on an idle machine
and beside one neighbour (a process spinning on one core), so the thread count PokeWatch uses is chosen on
numbers: issue 19 saw training triple beside one other job."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os

from benchmarks.b1_nightly import DAY, _template
from benchmarks.common import REPEATS, drop_database, median, scratch_database, settings_for, table
from benchmarks.floors import bare_fit, training_rows


def _spin() -> None:
    while True:
        pass


def _fits(rows, threads: int, neighbour: bool) -> float:
    spinner = multiprocessing.Process(target=_spin, daemon=True) if neighbour else None
    if spinner:
        spinner.start()
    try:
        return median([bare_fit(rows, threads)[0] for _ in range(REPEATS)])
    finally:
        if spinner:
            spinner.kill()
            spinner.join()


def run() -> tuple[str, dict]:
    template = _template(DAY + dt.timedelta(days=1))  # the 36 days up to DAY
    try:
        with scratch_database(template=template) as name:
            rows = training_rows(settings_for(name), DAY)
    finally:
        drop_database(template)
    cores = len(os.sched_getaffinity(0))
    seconds = {(t, n): _fits(rows, t, n) for t in (1, cores) for n in (False, True)}
    out = [[f"{t} thread(s)", len(rows.fit_y), seconds[(t, False)], seconds[(t, True)],
            seconds[(t, True)] / seconds[(t, False)]] for t in (1, cores)]
    text = table(["B7 bare fit", "rows", "idle (s)", "one neighbour (s)", "neighbour ÷ idle"], out)
    best_idle = min(seconds[(t, False)] for t in (1, cores))
    text += (f"\n\n{cores} cores. Beside a neighbour, {cores} threads take "
             f"{seconds[(cores, True)] / best_idle:.2f}× the best idle fit and 1 thread "
             f"{seconds[(1, True)] / best_idle:.2f}×.")
    return text, {f"{t}_{'neighbour' if n else 'idle'}": s for (t, n), s in seconds.items()}
