"""The data contract: Great Expectations suites for daily prices, features and signals.

Every expectation carries a severity (GX 1.x's own ``severity`` field in the suite JSON under
``expectations/gx/expectations/``):

* ``critical`` – the run stops: :class:`ValidationFailed` is raised before anything downstream changes;
* ``warning``  – the offending rows are quarantined (``pokewatch.quarantine``) and leave ``pokewatch.prices``;
* ``info``     – reported only.

Severities can be overridden per expectation name (``meta.name`` in the JSON) with the ``severities``
argument or the ``POKEWATCH_VALIDATION_SEVERITY`` environment variable (``name=warning,name2=info``).

``great_expectations`` costs ~6 s to import, so it is imported only inside the functions that validate.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pokewatch.settings import PROJECT_DIR, Settings

if TYPE_CHECKING:
    import psycopg

SUITES_DIR = PROJECT_DIR / "expectations" / "gx" / "expectations"
SEVERITY_ENV = "POKEWATCH_VALIDATION_SEVERITY"
SEVERITIES = ("critical", "warning", "info")
PLACEHOLDER_PRICE = 999.0  # same as pokewatch.sources.base.PLACEHOLDER_PRICE (not imported: it pulls httpx)
FRAME_COLUMNS = ["as_of", "product_id", "variant", "set_id", "low", "mid", "high", "market", "direct_low"]
PRICE_VALUE_COLUMNS = ["low", "mid", "high", "market", "direct_low"]
DATASET_NAMES = {"daily_prices": "daily prices", "features": "features", "signals": "signals"}
SAMPLE_SIZE = 3
# Computed by _prepare_prices before GX runs (checked by the suite, never stored).
DERIVED_COLUMNS = {"days_ahead", "low_price", "mid_price", "high_price", "market_band_ratio", "market_move_factor"}


class ValidationFailed(RuntimeError):
    """A critical expectation failed; the message names the dataset, the expectation(s) and sample bad values."""

    def __init__(self, message: str, report: ValidationReport):
        super().__init__(message)
        self.report = report


@dataclass
class ValidationReport:
    dataset: str
    as_of: dt.date | None
    rows: int
    passed: bool
    results: list[dict[str, Any]]
    quarantined: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    data_docs_path: str | None = None
    seconds: float = 0.0
    # Frame positions (0-based, in the validated frame) of the rows a warning expectation rejects.
    quarantine_rows: dict[str, list[int]] = field(default_factory=dict, repr=False)

    @property
    def failures(self) -> list[dict[str, Any]]:
        return [r for r in self.results if not r["success"]]

    @property
    def critical_failures(self) -> list[dict[str, Any]]:
        return [r for r in self.failures if r["severity"] == "critical"]

    def summary(self) -> str:
        day = f" for {self.as_of}" if self.as_of else ""
        failed = self.failures
        verdict = "passed" if self.passed else f"FAILED ({len(self.critical_failures)} critical)"
        text = f"{self.dataset}{day}: {self.rows:,} rows, {len(self.results)} expectations, {verdict}"
        if failed and self.passed:
            text += f", {len(failed)} non-critical failed"
        if self.quarantined:
            reasons = ", ".join(f"{k}: {v:,}" for k, v in self.quarantine_reasons.items())
            text += f"; {self.quarantined:,} rows quarantined ({reasons})"
        else:
            text += "; 0 rows quarantined"
        return text + f" in {self.seconds:.1f} s"

    def markdown(self) -> str:
        lines = [
            f"### Validation: {self.dataset}" + (f" {self.as_of}" if self.as_of else ""),
            "",
            self.summary(),
            "",
            "| expectation | severity | result | observed |",
            "|---|---|---|---|",
        ]
        for r in self.results:
            mark = "pass" if r["success"] else "**FAIL**"
            observed = str(r["observed"]).replace("|", "\\|")
            lines.append(f"| `{r['expectation']}` | {r['severity']} | {mark} | {observed} |")
        if self.data_docs_path:
            lines += ["", f"Data Docs: `{self.data_docs_path}`"]
        return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------- suites


@lru_cache
def _suite_json(name: str) -> dict:
    return json.loads((SUITES_DIR / f"{name}.json").read_text())


def severity_overrides(severities: dict[str, str] | None = None) -> dict[str, str]:
    """Environment overrides (POKEWATCH_VALIDATION_SEVERITY="name=warning,…" or JSON), then the argument."""
    merged: dict[str, str] = {}
    env = os.environ.get(SEVERITY_ENV, "").strip()
    if env:
        if env.startswith("{"):
            merged.update(json.loads(env))
        else:
            for part in env.split(","):
                if part.strip():
                    key, _, value = part.partition("=")
                    merged[key.strip()] = value.strip()
    merged.update(severities or {})
    for key, value in merged.items():
        if value not in SEVERITIES:
            raise ValueError(f"severity for {key!r} must be one of {', '.join(SEVERITIES)}, got {value!r}")
    return merged


def _suite_config(name: str, severities: dict[str, str] | None) -> dict:
    config = copy.deepcopy(_suite_json(name))
    overrides = severity_overrides(severities)
    for exp in config["expectations"]:
        key = exp.get("meta", {}).get("name")
        if key in overrides:
            exp["severity"] = overrides[key]
    return config


def _meta_for(config: dict, name: str) -> dict:
    for exp in config["expectations"]:
        if exp.get("meta", {}).get("name") == name:
            return exp["meta"]
    return {}


# ---------------------------------------------------------------------------------------------- GX context

_lock = threading.Lock()
_contexts: dict[str, Any] = {}


def _quiet_gx() -> None:
    import logging

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)


def _runner():
    """The in-memory GX context validations run in, with one whole-dataframe batch per suite (once per process)."""
    with _lock:
        if "runner" in _contexts:
            return _contexts["runner"]
        _quiet_gx()
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        ctx = gx.get_context(mode="ephemeral")
        ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = ctx.data_sources.add_pandas("pokewatch_frames")
        batches = {
            name: source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("whole")
            for name in ("daily_prices", "features", "signals")
        }
        _contexts["runner"] = (ctx, batches)
        return _contexts["runner"]


def _store(home: Path):
    """The file context in HOME/gx that keeps validation results and renders Data Docs to HOME/data_docs."""
    key = f"store:{home}"
    with _lock:
        if key in _contexts:
            return _contexts[key]
        _quiet_gx()
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        home.mkdir(parents=True, exist_ok=True)
        ctx = gx.get_context(mode="file", project_root_dir=home)
        site = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(home / "data_docs")},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
        if ctx.variables.data_docs_sites != {"pokewatch": site}:
            ctx.variables.data_docs_sites = {"pokewatch": site}
            ctx.variables.save()
        ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
        _contexts[key] = ctx
        return ctx


# ---------------------------------------------------------------------------------------------- running


def _label(cfg: dict) -> str:
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


def _sample(frame: pd.DataFrame, positions: list[int], columns: list[str]) -> list[str]:
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


def _plain(value: Any) -> Any:
    if isinstance(value, (np.generic,)):
        value = value.item()
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
        return value
    return value


def _error_of(result) -> str | None:
    info = result.exception_info or {}
    candidates = [info] + [v for v in info.values() if isinstance(v, dict)]
    for item in candidates:
        if item.get("raised_exception") and item.get("exception_message"):
            return str(item["exception_message"]).strip().splitlines()[0][:300]
    if not result.success and not result.result:
        return "could not be evaluated"
    return None


def _run(
    suite_name: str,
    frame: pd.DataFrame,
    *,
    params: dict | None,
    severities: dict[str, str] | None,
    home: Path | None,
    build_docs: bool,
    run_name: str | None,
    config: dict | None = None,
    sample_columns: dict[str, list[str]] | None = None,
):
    """Validate a (prepared, 0..n-1 indexed) frame with a suite; returns (results, quarantine_rows, docs)."""
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    _, batches = _runner()
    config = config or _suite_config(suite_name, severities)
    suite = gx.ExpectationSuite(
        name=config["name"], expectations=config["expectations"], meta=config.get("meta") or {}
    )
    batch = batches[suite_name].get_batch(batch_parameters={"dataframe": frame})
    validation = batch.validate(suite, result_format="COMPLETE", expectation_parameters=params or {})

    results: list[dict[str, Any]] = []
    quarantine: dict[str, list[int]] = {}
    for res in validation.results:
        cfg = res.expectation_config.to_json_dict()
        meta = cfg.get("meta") or {}
        severity = getattr(res.expectation_config.severity, "value", None) or cfg.get("severity", "critical")
        r = res.result or {}
        positions = list(r.get("unexpected_index_list") or [])
        kw = cfg.get("kwargs", {})
        if cfg["type"] == "expect_column_pair_values_a_to_be_greater_than_b":
            shown = [kw["column_A"], kw["column_B"]]
        elif cfg["type"] == "expect_compound_columns_to_be_unique":
            shown = list(kw.get("column_list", []))
        else:
            shown = [kw["column"]] if kw.get("column") else []
        shown = (sample_columns or {}).get(kw.get("column"), shown) if kw.get("column") else shown
        error = _error_of(res)
        count = r.get("unexpected_count")
        sample = _sample(frame, positions, shown) if positions else [
            str(v) for v in (r.get("partial_unexpected_list") or [])[:SAMPLE_SIZE]
        ]
        if cfg["type"] == "expect_column_to_exist" and not res.success:
            error, r = None, {"observed_value": "missing"}
            given = [str(c) for c in frame.columns if c not in DERIVED_COLUMNS]
            sample = [f"columns present: {', '.join(given[:12])}"]
        elif cfg["type"] == "expect_column_values_to_be_in_type_list" and not res.success and not error:
            # a column-level check: point at the values that are not numbers
            values = frame[kw["column"]]
            bad = values.notna() & pd.to_numeric(values, errors="coerce").isna()
            count = int(bad.sum())
            sample = _sample(frame, list(np.flatnonzero(bad.to_numpy())[:SAMPLE_SIZE]), [kw["column"]])
            r = {**r, "observed_value": f"{r.get('observed_value')} ({count:,} values are not numbers)"}
        if "observed_value" in r:
            observed: Any = r["observed_value"]
        elif "unexpected_count" in r:
            observed = f"{r['unexpected_count']:,} unexpected ({r.get('unexpected_percent') or 0:.3g} %)"
        else:
            observed = error or ""
        item = {
            "expectation": _label(cfg),
            "name": meta.get("name", cfg["type"]),
            "type": cfg["type"],
            "column": kw.get("column") or kw.get("column_list") or (
                [kw.get("column_A"), kw.get("column_B")] if kw.get("column_A") else None
            ),
            "severity": severity,
            "success": bool(res.success),
            "observed": observed,
            "unexpected_count": count,
            "sample": sample,
            "error": error,
        }
        results.append(item)
        if not res.success and severity == "warning" and positions:
            quarantine.setdefault(item["name"], []).extend(int(p) for p in positions)
        # Keep what is stored (and rendered into Data Docs) small: partial lists only.
        for heavy in ("unexpected_list", "unexpected_index_list", "unexpected_index_query"):
            r.pop(heavy, None)

    docs = None
    if home is not None:
        run_id = RunIdentifier(run_name=run_name or suite_name, run_time=dt.datetime.now(dt.UTC))
        suite_id = ExpectationSuiteIdentifier(name=suite.name)
        key = ValidationResultIdentifier(
            expectation_suite_identifier=suite_id, run_id=run_id, batch_identifier=batch.id
        )
        ctx = _store(home)
        ctx.validation_results_store.store_validation_results(
            suite_validation_result=validation,
            suite_validation_result_identifier=key,
            expectation_suite_identifier=suite_id,
        )
        if build_docs:
            docs = str(_build_docs(ctx, home))
    return results, quarantine, docs


def _build_docs(ctx, home: Path) -> Path:
    ctx.build_data_docs(site_names=["pokewatch"])
    return home / "data_docs" / "index.html"


def _finish(
    dataset: str,
    as_of: dt.date | None,
    rows: int,
    results: list[dict],
    quarantine: dict[str, list[int]],
    docs: str | None,
    started: float,
) -> ValidationReport:
    critical = [r for r in results if not r["success"] and r["severity"] == "critical"]
    distinct = set()
    for positions in quarantine.values():
        distinct.update(positions)
    report = ValidationReport(
        dataset=dataset,
        as_of=as_of,
        rows=rows,
        passed=not critical,
        results=results,
        quarantined=len(distinct),
        quarantine_reasons={k: len(set(v)) for k, v in quarantine.items()},
        data_docs_path=docs,
        seconds=time.perf_counter() - started,
        quarantine_rows={k: sorted(set(v)) for k, v in quarantine.items()},
    )
    if critical:
        raise ValidationFailed(_failure_message(report, critical), report)
    return report


def _failure_message(report: ValidationReport, critical: list[dict]) -> str:
    day = f" for {report.as_of}" if report.as_of else ""
    # A broken schema makes the value checks of the same column unevaluable: name the cause first.
    evaluated = [r for r in critical if not r["error"]] or critical
    evaluated.sort(key=lambda r: r["type"] not in ("expect_column_to_exist", "expect_column_values_to_be_in_type_list"))
    parts = []
    for r in evaluated:
        if r["type"] == "expect_column_to_exist":
            text = f"{r['expectation']}: column {r['column']!r} is missing ({'; '.join(r['sample'])})"
        elif r["unexpected_count"]:
            n = r["unexpected_count"]
            text = f"{r['expectation']}: {n:,} row{'s' if n != 1 else ''}"
            if r["sample"]:
                text += ", e.g. " + "; ".join(r["sample"])
        elif r["error"]:
            text = f"{r['expectation']}: {r['error']}"
        else:
            text = f"{r['expectation']}: observed {r['observed']}"
        parts.append(text)
    noun = "expectation" if len(parts) == 1 else "expectations"
    message = f"{report.dataset}{day} failed critical {noun} " + " | ".join(parts)
    skipped = len(critical) - len(evaluated)
    if skipped:
        message += f" (and {skipped} more that could not be evaluated)"
    return message


# ---------------------------------------------------------------------------------------------- prices


def _iso_days(series: pd.Series) -> tuple[pd.Series, dict[Any, dt.date | None]]:
    """Any date-like column as ISO text (YYYY-MM-DD), mapped per distinct value (fast on 1.5 M rows)."""
    parsed: dict[Any, dt.date | None] = {}
    for value in pd.unique(series):
        parsed[value] = _as_date(value)
    text = {k: (v.isoformat() if v else (None if _isnull(k) else str(k))) for k, v in parsed.items()}
    return series.map(text), parsed


def _isnull(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _as_date(value: Any) -> dt.date | None:
    if _isnull(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


def _prepare_prices(
    frame: pd.DataFrame,
    previous: pd.DataFrame | None,
    today: dt.date,
    min_move_dollars: float,
) -> pd.DataFrame:
    """The frame as given (raw columns validated as they are) plus the derived columns the suite checks."""
    out = frame.reset_index(drop=True).copy()
    for column in ("product_id", "set_id", *PRICE_VALUE_COLUMNS):
        # nullable numbers (Int64, Float64) are numbers: validate them as float64 (GX's type check is by name)
        if column in out.columns and isinstance(out[column].dtype, pd.api.extensions.ExtensionDtype) \
                and pd.api.types.is_numeric_dtype(out[column].dtype):
            out[column] = out[column].astype("float64")
    derived: dict[str, pd.Series] = {}
    if "as_of" in out.columns:
        out["as_of"], parsed = _iso_days(out["as_of"])
        ahead = {k: ((v - today).days if v else np.nan) for k, v in parsed.items()}
        derived["days_ahead"] = frame["as_of"].reset_index(drop=True).map(ahead).astype("float64")
    else:
        derived["days_ahead"] = pd.Series(np.nan, index=out.index)
    low, mid, high, market = (_numeric(out, c) for c in ("low", "mid", "high", "market"))
    # 999.0 in low/mid/high is tcgcsv's "listed, nobody offers it": no price, not an error.
    low_price = low.where(low != PLACEHOLDER_PRICE)
    high_price = high.where(high != PLACEHOLDER_PRICE)
    derived["low_price"] = low_price
    derived["mid_price"] = mid.where(mid != PLACEHOLDER_PRICE)
    derived["high_price"] = high_price
    with np.errstate(divide="ignore", invalid="ignore"):
        band = np.fmax((low_price / market).to_numpy(), (market / high_price).to_numpy())
    band[~np.isfinite(band) & market.notna().to_numpy() & (market.to_numpy() == 0)] = np.inf
    derived["market_band_ratio"] = pd.Series(band, index=out.index).where(market.notna())
    derived["market_move_factor"] = _move_factor(out, market, previous, min_move_dollars)
    return out.assign(**derived)


def _move_factor(
    out: pd.DataFrame, market: pd.Series, previous: pd.DataFrame | None, min_dollars: float
) -> pd.Series:
    """max(m/prev, prev/m) against the series' previous day (in `previous` or earlier in the frame)."""
    if "product_id" not in out.columns or "variant" not in out.columns or "as_of" not in out.columns:
        return pd.Series(np.nan, index=out.index)
    cur = pd.DataFrame(
        {"product_id": out["product_id"], "variant": out["variant"].astype("object"),
         "as_of": out["as_of"], "market": market, "pos": np.arange(len(out))}
    )
    parts = [cur]
    if previous is not None and len(previous):
        prev = pd.DataFrame(
            {"product_id": previous["product_id"].to_numpy(), "variant": previous["variant"].astype("object").to_numpy(),
             "as_of": "0000-00-00", "market": _numeric(previous, "market").to_numpy(), "pos": -1}
        )
        parts.insert(0, prev)
    multi_day = cur["as_of"].nunique(dropna=True) > 1
    if len(parts) == 1 and not multi_day:
        return pd.Series(np.nan, index=out.index)
    both = pd.concat(parts, ignore_index=True)
    if not multi_day:
        # one day against the previous one: a join is cheaper than a sort
        prev_market = (
            both[both["pos"] < 0].drop_duplicates(["product_id", "variant"]).set_index(["product_id", "variant"])["market"]
        )
        idx = pd.MultiIndex.from_arrays([cur["product_id"], cur["variant"]])
        before = pd.Series(prev_market.reindex(idx).to_numpy(), index=out.index)
    else:
        both = both.sort_values(["product_id", "variant", "as_of"], kind="stable")
        both["before"] = both.groupby(["product_id", "variant"], sort=False)["market"].shift()
        mine = both[both["pos"] >= 0]
        before = pd.Series(np.nan, index=out.index)
        before.iloc[mine["pos"].to_numpy()] = mine["before"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = market / before
        factor = np.fmax(ratio, 1 / ratio)
    keep = (market > 0) & (before > 0) & ((market - before).abs() >= min_dollars)
    return factor.where(keep)


def _today(settings: Settings | None) -> dt.date:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(settings.timezone if settings else "UTC")
    return dt.datetime.now(tz).date()


def validate_price_frame(
    frame: pd.DataFrame,
    as_of: dt.date,
    previous: pd.DataFrame | None = None,
    *,
    previous_rows: int | None = None,
    first_day: dt.date | None = None,
    settings: Settings | None = None,
    severities: dict[str, str] | None = None,
    today: dt.date | None = None,
    build_docs: bool = False,
    dataset: str = "daily prices",
    run_name: str | None = None,
) -> ValidationReport:
    """Run the daily_prices suite on an in-memory frame (as_of, product_id, variant, set_id, low, mid, high,
    market, direct_low) — e.g. a file or a collected day before landing.

    `previous` is the previous landed day (product_id, variant, market): its row count sets the row-count
    band (or pass `previous_rows`) and its market prices the day-over-day moves. A frame of several days
    (`first_day`..`as_of`) is validated in one pass: its band scales with the number of days.
    Raises ValidationFailed on a critical failure; warning failures are listed in `report.quarantine_rows`
    (frame positions) — nothing is removed from the frame here.
    """
    started = time.perf_counter()
    config = _suite_config("daily_prices", severities)
    move_meta = _meta_for(config, "market_day_over_day_move")
    band = _meta_for(config, "row_count_in_band").get("band", [0.5, 2.0])
    today = today or _today(settings)
    first_day = first_day or as_of
    days = [first_day + dt.timedelta(days=i) for i in range((as_of - first_day).days + 1)]
    if previous_rows is None and previous is not None:
        previous_rows = len(previous)
    if previous_rows:
        params = {
            "min_rows": max(1, math.ceil(band[0] * previous_rows * len(days))),
            "max_rows": math.floor(band[1] * previous_rows * len(days)),
        }
    else:
        params = {"min_rows": 1, "max_rows": None}
    params["run_days"] = [d.isoformat() for d in days]
    prepared = _prepare_prices(frame, previous, today, float(move_meta.get("min_dollars", 50.0)))
    samples = {
        "market_band_ratio": ["low", "market", "high"],
        "market_move_factor": ["market"],
        "days_ahead": ["as_of"],
    }
    results, quarantine, docs = _run(
        "daily_prices",
        prepared,
        params=params,
        severities=severities,
        home=settings.home_dir if settings and (build_docs or run_name) else None,
        build_docs=build_docs,
        run_name=run_name,
        config=config,
        sample_columns=samples,
    )
    return _finish(dataset, as_of, len(prepared), results, quarantine, docs, started)


# ---------------------------------------------------------------------------------------------- the warehouse


def _load_day(conn: psycopg.Connection, source: str, as_of: dt.date) -> pd.DataFrame:
    from pokewatch.history import copy_out

    frame = copy_out(
        conn,
        "select as_of, product_id, variant, set_id, low, mid, high, market, direct_low "
        "from pokewatch.prices where source = %s and as_of = %s",
        (source, as_of),
    )
    if frame.empty:
        frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in FRAME_COLUMNS})
        frame["variant"] = frame["variant"].astype("object")
        frame["as_of"] = frame["as_of"].astype("object")
    frame["variant"] = frame["variant"].astype(str)
    return frame


def validate_prices(
    settings: Settings,
    as_of: dt.date,
    run_id: uuid.UUID | None = None,
    source: str = "tcgcsv",
    build_docs: bool = True,
    *,
    severities: dict[str, str] | None = None,
    today: dt.date | None = None,
) -> ValidationReport:
    """Validate the day's rows of pokewatch.prices for a source against the previous landed day.

    Critical failure → ValidationFailed, nothing changed. Warning failures → the offending rows move to
    pokewatch.quarantine and leave pokewatch.prices, in one transaction.
    """
    from pokewatch import db

    started = time.perf_counter()
    with db.connect(settings) as conn:
        frame = _load_day(conn, source, as_of)
        prev_day = conn.execute(
            "select max(as_of) from pokewatch.landings where source = %s and as_of < %s", (source, as_of)
        ).fetchone()[0]
        previous = None
        if prev_day is not None:
            from pokewatch.history import copy_out

            previous = copy_out(
                conn,
                "select product_id, variant, market from pokewatch.prices where source = %s and as_of = %s",
                (source, prev_day),
            )
            previous["variant"] = previous["variant"].astype(str)
            if previous.empty:
                previous = None
    run_name = f"{source}-{as_of.isoformat()}" + (f"-{run_id}" if run_id else "")
    try:
        report = validate_price_frame(
            frame,
            as_of,
            previous,
            settings=settings,
            severities=severities,
            today=today,
            build_docs=build_docs,
            run_name=run_name,
        )
    except ValidationFailed as exc:
        exc.report.seconds = time.perf_counter() - started
        raise
    if report.quarantined:
        _quarantine(settings, frame, report, as_of, source, run_id)
    report.seconds = time.perf_counter() - started
    return report


def _quarantine(
    settings: Settings,
    frame: pd.DataFrame,
    report: ValidationReport,
    as_of: dt.date,
    source: str,
    run_id: uuid.UUID | None,
) -> None:
    """Move the rejected rows to pokewatch.quarantine and out of pokewatch.prices, in one transaction."""
    from pokewatch import db

    reasons: dict[int, list[str]] = {}
    for name, positions in report.quarantine_rows.items():
        for pos in positions:
            reasons.setdefault(pos, []).append(name)
    keys = frame.iloc[sorted(reasons)][["product_id", "variant"]].copy()
    keys["expectations"] = ["{" + ",".join(reasons[p]) + "}" for p in sorted(reasons)]
    keys["expectation"] = [reasons[p][0] for p in sorted(reasons)]
    with db.connect(settings) as conn:
        conn.execute(
            "create temp table quarantine_keys (product_id bigint, variant text, expectation text, "
            "expectations text[]) on commit drop"
        )
        with conn.cursor().copy(
            "copy quarantine_keys (product_id, variant, expectation, expectations) from stdin"
        ) as copy:
            for row in keys[["product_id", "variant", "expectation", "expectations"]].itertuples(index=False):
                copy.write_row((int(row.product_id), row.variant, row.expectation, row.expectations))
        conn.execute(
            """
            insert into pokewatch.quarantine as q
                (source, as_of, product_id, variant, expectation, expectations, run_id, row)
            select p.source, p.as_of, p.product_id, p.variant, k.expectation, k.expectations, %s, to_jsonb(p)
            from pokewatch.prices p
            join quarantine_keys k using (product_id, variant)
            where p.source = %s and p.as_of = %s
            on conflict (source, as_of, product_id, variant) do update
            set expectation = excluded.expectation, expectations = excluded.expectations,
                run_id = excluded.run_id, row = excluded.row, quarantined_at = now()
            """,
            (run_id, source, as_of),
        )
        conn.execute(
            """
            delete from pokewatch.prices p using quarantine_keys k
            where p.source = %s and p.as_of = %s and p.product_id = k.product_id and p.variant = k.variant
            """,
            (source, as_of),
        )


# ---------------------------------------------------------------------------------------------- features, signals


def _features_config(severities: dict[str, str] | None) -> dict:
    """The features suite, extended to every column of pokewatch.features.FEATURES (the list may grow)."""
    from pokewatch.features import FEATURES

    config = _suite_config("features", severities)
    present = {
        (e["meta"].get("name"), e["kwargs"].get("column")) for e in config["expectations"] if e.get("meta")
    }
    templates = {e["meta"]["name"]: e for e in config["expectations"] if e.get("meta")}
    for column in FEATURES:
        for name in ("feature_present", "feature_finite"):
            if (name, column) not in present and name in templates:
                extra = copy.deepcopy(templates[name])
                extra.pop("id", None)
                extra["kwargs"]["column"] = column
                config["expectations"].append(extra)
    return config


def validate_features(
    frame: pd.DataFrame, dataset: str = "features", *, severities: dict[str, str] | None = None
) -> ValidationReport:
    """log_last and days_observed present and finite, days_observed >= 1, flat_share_30 in [0, 1], no ±inf."""
    started = time.perf_counter()
    prepared = frame.reset_index(drop=True)
    results, quarantine, _ = _run(
        "features", prepared, params=None, severities=severities, home=None, build_docs=False,
        run_name=None, config=_features_config(severities),
    )
    as_of = None
    if "as_of" in prepared.columns and len(prepared):
        as_of = _as_date(prepared["as_of"].max())
    return _finish(dataset, as_of, len(prepared), results, quarantine, None, started)


def validate_signals(frame: pd.DataFrame, *, severities: dict[str, str] | None = None) -> ValidationReport:
    """BUY/SELL/HOLD, fair_low <= fair_price <= fair_high, confidence in [0, 1], one row per series, a model."""
    started = time.perf_counter()
    prepared = frame.reset_index(drop=True)
    if "variant" in prepared.columns:
        prepared = prepared.assign(variant=prepared["variant"].astype("object"))
    results, quarantine, _ = _run(
        "signals", prepared, params=None, severities=severities, home=None, build_docs=False, run_name=None,
        sample_columns={"confidence": ["confidence"], "signal": ["signal"]},
    )
    as_of = None
    if "as_of" in prepared.columns and len(prepared):
        as_of = _as_date(prepared["as_of"].max())
    return _finish("signals", as_of, len(prepared), results, quarantine, None, started)


def build_data_docs(settings: Settings) -> Path:
    """(Re)build GX Data Docs from the stored validation results into HOME/data_docs; returns index.html."""
    home = settings.home_dir
    path = _build_docs(_store(home), home)
    print(path)
    return path
