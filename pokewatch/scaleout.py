"""Scale-out planning: a day's catalogue split into partitions by a stable hash of product_id (plain functions,
no Prefect: flows/score.py maps one Prefect task over the partitions on the chosen task runner).

A partition holds every variant of its products, so each partition builds its own panel and features from its
own rows only; the few catalogue-wide facts features need (a set's first day, when its release date is unknown)
are computed once here and handed to every partition, so the partitioned signals equal the unpartitioned ones.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import psycopg

from pokewatch.history import copy_out
from pokewatch.settings import Settings

TASK_RUNNERS = ("thread", "dask")


def task_runner_name(settings: Settings) -> str:
    """`thread` (Prefect's ThreadPoolTaskRunner, one machine) or `dask` (POKEWATCH_DASK_ADDRESS or a LocalCluster)."""
    name = str(settings.task_runner or "thread").lower()
    if name not in TASK_RUNNERS:
        raise ValueError(f"POKEWATCH_TASK_RUNNER must be one of {', '.join(TASK_RUNNERS)}, got {name!r}")
    return name


def dask_address(settings: Settings) -> str | None:
    return settings.dask_address or None


def dask_workers(settings: Settings) -> int:
    return max(1, int(settings.dask_workers))


def partition_size(settings: Settings) -> int:
    return max(1, int(settings.partition_size))


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
    def label(self) -> str:
        return f"{self.index + 1}/{self.count}"

    @property
    def product_filter(self) -> tuple[int, ...] | None:
        """The products to read, or None (read everything) when there is a single partition."""
        return None if self.count == 1 else self.product_ids


@dataclass
class ScoringPlan:
    as_of: dt.date
    source: str
    series: int
    partitions: list[Partition]
    set_first_seen: dict[int, str] = field(default_factory=dict)  # set_id → first day in the lookback window


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


def _window(as_of: dt.date, lookback_days: int) -> tuple[dt.date, dt.date]:
    return as_of - dt.timedelta(days=lookback_days), as_of


def day_series(conn: psycopg.Connection, as_of: dt.date, source: str = "tcgcsv") -> pd.DataFrame:
    """Series (product_id, variant) with a landed price on the day: what scoring will score."""
    return copy_out(
        conn,
        """
        select p.product_id, p.variant
        from pokewatch.prices p
        join pokewatch.landings l on l.source = p.source and l.as_of = p.as_of
        where p.source = %s and p.as_of = %s
        """,
        (source, as_of),
    )


def set_first_seen(conn: psycopg.Connection, as_of: dt.date, lookback_days: int,
                   source: str = "tcgcsv") -> dict[int, str]:
    """First landed day of every set in the scoring window (the release-date fallback of features.build_panel)."""
    start, end = _window(as_of, lookback_days)
    frame = copy_out(
        conn,
        """
        select p.set_id, min(p.as_of) as first_seen
        from pokewatch.prices p
        join pokewatch.landings l on l.source = p.source and l.as_of = p.as_of
        where p.source = %s and p.as_of > %s and p.as_of <= %s and p.set_id is not null
        group by p.set_id
        """,
        (source, start, end),
    )
    return {int(s): str(d) for s, d in zip(frame["set_id"], frame["first_seen"])}


def plan_day(conn: psycopg.Connection, as_of: dt.date, size: int, lookback_days: int,
             source: str = "tcgcsv") -> ScoringPlan:
    series = day_series(conn, as_of, source)
    return ScoringPlan(as_of, source, len(series), plan_partitions(series, size),
                       set_first_seen(conn, as_of, lookback_days, source))


def sets_with_first_seen(sets: pd.DataFrame, first_seen: dict[int, str]) -> pd.DataFrame:
    """Sets whose unknown release date is the set's first day in the whole window (not just in one partition)."""
    if not first_seen:
        return sets
    known = sets.drop_duplicates("set_id").set_index("set_id")["release_date"] if len(sets) else pd.Series(dtype=object)
    fill = pd.Series(first_seen, dtype=object)
    release = known.reindex(known.index.union(fill.index))
    release = release.where(release.notna(), fill.reindex(release.index))
    return pd.DataFrame({"set_id": release.index.to_numpy(dtype="int64"), "release_date": release.to_numpy()})
