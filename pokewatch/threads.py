"""How many threads scikit-learn fits and predicts with (OpenMP and BLAS).

Two OpenMP threads on a 2-core machine fit the training rows in 7.8 s when the machine is idle, and in 67 s beside
one other busy process (threads that finish early spin at each barrier while the other waits for its core); one
thread takes 12.5 s either way (benchmarks B7). So by default PokeWatch leaves one core to the rest of the
machine: the cores this process may use, less one, at least one (POKEWATCH_THREADS sets it).
"""

from __future__ import annotations

import functools
import os


def default_threads() -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, cores - 1)


def with_compute_threads(fn):
    """Run `fn(settings, …)` with scikit-learn's thread pools limited to settings.compute_threads."""

    @functools.wraps(fn)
    def limited(settings, *args, **kwargs):
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=settings.compute_threads):
            return fn(settings, *args, **kwargs)

    limited.limits_threads = True
    return limited
