"""Partition planning: every series in exactly one partition, the same partition in every run and process."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from pokewatch import scaleout
from pokewatch.settings import PROJECT_DIR, Settings


def catalogue(n_products: int = 5000, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    products = rng.choice(np.arange(1, 10_000_000), size=n_products, replace=False)
    variants = rng.choice(["Normal", "Holofoil", "Reverse Holofoil"], size=(n_products, 2))
    frame = pd.DataFrame({"product_id": np.repeat(products, 2), "variant": variants.ravel()})
    return frame.drop_duplicates().reset_index(drop=True)


def test_every_series_is_in_exactly_one_partition_and_sizes_follow_the_setting():
    series = catalogue()
    plan = scaleout.plan_partitions(series, size=1000)
    assert len(plan) == scaleout.partition_count(len(series), 1000) == -(-len(series) // 1000)
    assert sum(p.series for p in plan) == len(series)
    owners = {}
    for p in plan:
        assert p.count == len(plan)
        for product in p.product_ids:
            assert product not in owners  # a product (with all its variants) lives in one partition
            owners[product] = p.index
    assert set(owners) == set(series["product_id"])
    assert max(p.series for p in plan) < 2 * 1000  # a hash spreads evenly enough


def test_one_partition_reads_everything_and_small_catalogues_are_one_partition():
    plan = scaleout.plan_partitions(catalogue(100), size=20_000)
    assert len(plan) == 1 and plan[0].product_filter is None
    assert scaleout.partition_count(0, 20_000) == 1


def test_the_assignment_is_stable_across_runs_and_processes():
    ids = catalogue()["product_id"].unique()[:200]
    here = scaleout.partition_of(ids, 7).tolist()
    assert scaleout.partition_of(ids[::-1], 7).tolist() == here[::-1]  # depends on the id only
    code = ("import sys, json; from pokewatch import scaleout; "
            "print(json.dumps(scaleout.partition_of(json.loads(sys.argv[1]), 7).tolist()))")
    out = subprocess.run([sys.executable, "-c", code, str([int(i) for i in ids])], cwd=PROJECT_DIR, check=True,
                         capture_output=True, text=True, env={"PYTHONHASHSEED": "123", "PATH": ""})
    assert json.loads(out.stdout) == here


def test_settings_choose_the_runner_and_the_defaults_keep_one_machine_simple():
    assert Settings().task_runner == "thread"
    assert Settings().dask_address is None and Settings().dask_workers == 2
    assert Settings(partition_size=500).partition_size == 500
    assert Settings().partition_size >= 43_249, "the whole tcgcsv catalogue is one partition by default"
    with pytest.raises(ValueError):
        Settings(task_runner="spark")
    with pytest.raises(ValueError):
        Settings(partition_size=0)
