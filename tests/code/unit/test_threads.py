"""Fits and predictions use the threads the settings give (by default one core is left to the machine)."""

import os

import sklearn.ensemble  # noqa: F401  (loads scikit-learn's OpenMP runtime)
from threadpoolctl import threadpool_info

from pokewatch import backtest, scoring, train
from pokewatch.threads import with_compute_threads


def _openmp_threads() -> int:
    return next(i["num_threads"] for i in threadpool_info() if i["user_api"] == "openmp")


def test_fitting_and_predicting_run_with_the_configured_threads(settings):
    before = _openmp_threads()

    @with_compute_threads
    def probe(s):
        return _openmp_threads()

    assert probe(settings.model_copy(update={"threads": 1})) == 1
    cores = len(os.sched_getaffinity(0))
    assert settings.threads is None and probe(settings) == settings.compute_threads == max(1, cores - 1)
    assert _openmp_threads() == before  # restored after the call
    for entry in (train.train, backtest.run_backtest, scoring.score_partition):
        assert getattr(entry, "limits_threads", False), entry.__qualname__
