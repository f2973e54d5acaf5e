"""From a Great Expectations result to what a person reads: a label per expectation, sample bad rows, the
observed value, and whether a warning expectation names rows to quarantine."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

SAMPLE_SIZE = 3


def label(cfg: dict) -> str:
    """`expect_…(what it checks)` in a few words, e.g. `expect_column_values_to_be_between(0 <= market <= 1e9)`."""
    kw = cfg.get("kwargs", {})
    kind = cfg["type"]
    col = kw.get("column")
    if kind == "expect_column_values_to_be_between":
        lo, hi = kw.get("min_value"), kw.get("max_value")
        if lo is not None and hi is not None:
            inner = f"{_num(lo)} <= {col} <= {_num(hi)}"
        elif lo is not None:
            inner = f"{col} >= {_num(lo)}"
        else:
            inner = f"{col} <= {_num(hi)}"
        if kw.get("mostly") is not None:
            inner += f", mostly {kw['mostly']}"
    elif kind == "expect_table_row_count_to_be_between":
        inner = f"rows {_num(kw.get('min_value'))}..{_num(kw.get('max_value'))}"
    elif kind == "expect_column_pair_values_a_to_be_greater_than_b":
        inner = f"{kw.get('column_A')} {'>=' if kw.get('or_equal') else '>'} {kw.get('column_B')}"
    elif kind == "expect_compound_columns_to_be_unique":
        inner = ", ".join(kw.get("column_list", []))
    elif kind == "expect_column_values_to_be_in_set":
        values = kw.get("value_set")
        shown = values if isinstance(values, list) and len(values) <= 8 else f"{len(values or [])} values"
        inner = f"{col} in {shown}"
    elif kind == "expect_column_values_to_not_be_null" and kw.get("mostly") is not None:
        inner = f"{col}, mostly {kw['mostly']}"
    else:
        inner = str(col) if col is not None else ""
    return f"{kind}({inner})"


def _num(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, float) and abs(value) >= 1e6:
        return f"{value:g}"
    return str(value)


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def sample(frame: pd.DataFrame, positions: list[int], columns: list[str]) -> list[str]:
    """A few offending rows as text: `product_id 42 Holofoil market -5.0`."""
    out = []
    for pos in positions[:SAMPLE_SIZE]:
        if pos >= len(frame):
            continue
        row = frame.iloc[pos]
        head = []
        if "product_id" in frame.columns:
            head.append(f"product_id {_plain(row['product_id'])}")
        if "variant" in frame.columns:
            head.append(str(_plain(row["variant"])))
        values = [f"{c} {_plain(row[c])!s}" for c in columns if c in frame.columns and c not in ("product_id", "variant")]
        out.append(" ".join(head + values))
    return out


def _error_of(result) -> str | None:
    info = result.exception_info or {}
    candidates = [info] + [v for v in info.values() if isinstance(v, dict)]
    for item in candidates:
        if item.get("raised_exception") and item.get("exception_message"):
            return str(item["exception_message"]).strip().splitlines()[0][:300]
    if not result.success and not result.result:
        return "could not be evaluated"
    return None


def _shown_columns(cfg: dict, sample_columns: dict[str, list[str]]) -> list[str]:
    kw = cfg.get("kwargs", {})
    if cfg["type"] == "expect_column_pair_values_a_to_be_greater_than_b":
        return [kw["column_A"], kw["column_B"]]
    if cfg["type"] == "expect_compound_columns_to_be_unique":
        return list(kw.get("column_list", []))
    if kw.get("column"):
        return sample_columns.get(kw["column"], [kw["column"]])
    return []


def result_item(res, frame: pd.DataFrame, severities: dict[str, str], sample_columns: dict[str, list[str]],
                derived_columns: set[str]) -> dict[str, Any]:
    """One expectation's outcome as PokeWatch reports it (its severity overridden where `severities` names it)."""
    cfg = res.expectation_config.to_json_dict()
    meta = cfg.get("meta") or {}
    name = meta.get("name", cfg["type"])
    severity = severities.get(name) or getattr(res.expectation_config.severity, "value", None) or "critical"
    r = res.result or {}
    positions = [int(p) for p in (r.get("partial_unexpected_index_list") or [])[:SAMPLE_SIZE]]
    kw = cfg.get("kwargs", {})
    error = _error_of(res)
    count = r.get("unexpected_count")
    shown = sample(frame, positions, _shown_columns(cfg, sample_columns)) if positions else [
        str(v) for v in (r.get("partial_unexpected_list") or [])[:SAMPLE_SIZE]
    ]
    if cfg["type"] == "expect_column_to_exist" and not res.success:
        error, r = None, {"observed_value": "missing"}
        given = [str(c) for c in frame.columns if c not in derived_columns]
        shown = [f"columns present: {', '.join(given[:12])}"]
    elif cfg["type"] == "expect_column_values_to_be_in_type_list" and not res.success and not error:
        # a column-level check: point at the values that are not numbers
        values = frame[kw["column"]]
        bad = values.notna() & pd.to_numeric(values, errors="coerce").isna()
        count = int(bad.sum())
        shown = sample(frame, list(np.flatnonzero(bad.to_numpy())[:SAMPLE_SIZE]), [kw["column"]])
        r = {**r, "observed_value": f"{r.get('observed_value')} ({count:,} values are not numbers)"}
    if "observed_value" in r:
        observed: Any = r["observed_value"]
    elif "unexpected_count" in r:
        observed = f"{r['unexpected_count']:,} unexpected ({r.get('unexpected_percent') or 0:.3g} %)"
    else:
        observed = error or ""
    item = {
        "expectation": label(cfg),
        "name": name,
        "why": meta.get("why", ""),
        "type": cfg["type"],
        "column": kw.get("column") or kw.get("column_list") or (
            [kw.get("column_A"), kw.get("column_B")] if kw.get("column_A") else None
        ),
        "severity": severity,
        "success": bool(res.success),
        "observed": observed,
        "unexpected_count": count,
        "sample": shown,
        "error": error,
    }
    return item
