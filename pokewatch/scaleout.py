"""Scale-out planning: a day's catalogue split into partitions by a stable hash of product_id (plain functions,
no Prefect: flows/score.py maps one Prefect task over the partitions on the task runner POKEWATCH_TASK_RUNNER
names).

A partition holds every variant of its products, so each partition builds its own panel and features from its
own rows only; the few catalogue-wide facts features need (a set's first day, when its release date is unknown)
are computed once (pokewatch.history.set_first_seen) and handed to every partition, so the partitioned signals
equal the unpartitioned ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd


def partition_count(series: int, size: int) -> int:
    """N = ceil(series / partition_size), at least 1."""
    return max(1, math.ceil(series / max(1, size)))


def partition_of(product_ids, count: int) -> np.ndarray:
    """Partition number of each product id: a stable 64-bit hash (pandas' fixed-key SipHash) modulo count.

    The same id goes to the same partition in every run, process and machine (no PYTHONHASHSEED involved).
    """
    ids = np.asarray(product_ids, dtype="int64")
    return (pd.util.hash_array(ids) % np.uint64(max(1, count))).astype("int64")


@dataclass(frozen=True)
class Partition:
    index: int
    count: int
    product_ids: tuple[int, ...]
    series: int  # (product_id, variant) pairs priced on the day

    @property
    def product_filter(self) -> tuple[int, ...] | None:
        """The products to read, or None (read everything) when there is a single partition."""
        return None if self.count == 1 else self.product_ids


def plan_partitions(series: pd.DataFrame, size: int) -> list[Partition]:
    """Split (product_id, variant) rows into ceil(len / size) partitions by product hash; empty ones are dropped."""
    count = partition_count(len(series), size)
    products = series["product_id"].to_numpy(dtype="int64")
    part = partition_of(products, count)
    out = []
    for index in range(count):
        mask = part == index
        if mask.any():
            ids = tuple(int(p) for p in np.unique(products[mask]))
            out.append(Partition(index, count, ids, int(mask.sum())))
    return out


def sets_with_first_seen(sets: pd.DataFrame, first_seen: dict[int, str]) -> pd.DataFrame:
    """Sets whose unknown release date is the set's first day in the whole window (not just in one partition)."""
    if not first_seen:
        return sets
    known = sets.drop_duplicates("set_id").set_index("set_id")["release_date"] if len(sets) else pd.Series(dtype=object)
    fill = pd.Series(first_seen, dtype=object)
    release = known.reindex(known.index.union(fill.index))
    release = release.where(release.notna(), fill.reindex(release.index))
    return pd.DataFrame({"set_id": release.index.to_numpy(dtype="int64"), "release_date": release.to_numpy()})


def bounded_sample(history: pd.DataFrame, max_cells: int, buckets: int = 10_000) -> pd.DataFrame:
    """The history of a stable sample of products whose days × series fit in `max_cells`, or all of it.

    The walk-forward (pokewatch.backtest) holds every (day, series) of its window with its features and graded
    decisions, ~1.1 KB each (2.2 GB for 36 days of the English catalogue: ten times the catalogue, or a year of
    it, did not fit in 24 GB). Above the bound it follows the products whose stable hash (partition_of's) falls
    in the first share of buckets: the same products every night, all variants of a product together.
    """
    days, series = history["as_of"].nunique(), len(history[["product_id", "variant"]].drop_duplicates())
    if days * series <= max_cells:
        return history
    kept = partition_of(history["product_id"].to_numpy(), buckets) < int(buckets * max_cells / (days * series))
    return history[kept].reset_index(drop=True)
