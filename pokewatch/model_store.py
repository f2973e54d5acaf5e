"""Model metrics in the warehouse: every trained version's held-out numbers, for pokewatch.model_performance."""

from __future__ import annotations

import datetime as dt
import math
import numbers

import psycopg

OVERALL = ("overall", "all")
SLICE_METRICS = ("mape", "median_ape", "n", "band_coverage", "last_price_mape")


def _number(value) -> float | None:
    """A float for the table; NaN and infinities become NULL. Non-numbers are not metrics (None is returned)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError
    value = float(value)
    return value if math.isfinite(value) else None


def metric_rows(metrics: dict, slices: list[dict]) -> list[tuple[str, str, str, float | None]]:
    """(metric, slice_dimension, slice_value, value) rows: overall metrics first, then each slice's."""
    rows = []
    for name, value in metrics.items():
        try:
            rows.append((str(name), *OVERALL, _number(value)))
        except TypeError:
            continue  # e.g. the mlflow_run_id string TrainResult.metrics carries
    for item in slices:
        for name in SLICE_METRICS:
            if name in item:
                try:
                    rows.append((name, str(item["slice"]), str(item["value"]), _number(item[name])))
                except TypeError:
                    continue
    return rows


def save_model_metrics(conn: psycopg.Connection, as_of: dt.date, model_version: int, mlflow_run_id: str,
                       promoted: bool, reason: str, metrics: dict[str, float], slices: list[dict]) -> int:
    """Write (or rewrite) one model version's metrics in the caller's transaction; returns the rows written.

    `metrics`: overall metrics (non-numeric values such as a run id are skipped); `slices`: dicts with keys
    slice, value, mape, median_ape, n, band_coverage, last_price_mape (pokewatch.evaluate.slice_metrics).
    Saving the same version again replaces its rows, so a retried run leaves one set.
    """
    rows = metric_rows(metrics, slices)
    conn.execute(
        "delete from pokewatch.model_metrics where as_of = %s and model_version = %s", (as_of, model_version)
    )
    with conn.cursor() as cur:
        cur.executemany(
            """
            insert into pokewatch.model_metrics
                (as_of, model_version, mlflow_run_id, promoted, reason, metric, slice_dimension, slice_value, value)
            values (%s, %s, %s, %s, %s, %s, %s, %s, %s)
            """,
            [(as_of, int(model_version), str(mlflow_run_id), bool(promoted), reason, *row) for row in rows],
        )
    return len(rows)
