"""Training stage: features from history, a time split with a gap, the model against baselines and champion."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pokewatch import db, model_store, registry
from pokewatch.evaluate import BASELINES, error_metrics, evaluate, paired_skill, slice_metrics
from pokewatch.features import FEATURE_LOOKBACK_DAYS, FEATURES, build_panel, frame_for_days
from pokewatch.history import load_history, load_reference
from pokewatch.model import FairPriceModel
from pokewatch.settings import Settings
from pokewatch.signals import SignalRule, decide_signals
from pokewatch.split import CALIBRATION_DAYS, LOOKBACK_DAYS, NotEnoughHistory, time_split
from pokewatch.threads import with_compute_threads

# History read for training: the longest fit window plus the test and calibration days before it.
HISTORY_DAYS = LOOKBACK_DAYS + 40


def history_days(horizon: int, holdout_days: int) -> int:
    """Days a training at `horizon` reads: the longest fit window, two horizons (fit → calibration → test gaps),
    the calibration and test days (160 at 7 days; 312 at 90)."""
    return max(HISTORY_DAYS, LOOKBACK_DAYS + 2 * horizon + holdout_days + CALIBRATION_DAYS + 2)


@dataclass
class TrainResult:
    version: int
    promoted: bool
    reason: str
    metrics: dict
    rows: int
    seconds: float
    champion_version: int | None
    slices: list[dict] = field(default_factory=list)


def no_edge_reason(settings: Settings, m: dict) -> str:
    """Why a model does not beat "last price": the numbers that decided, in one line."""
    return (f"no edge at {settings.horizon_days} days: MAPE {m['mape']:.2%} vs last price "
            f"{m['last_price_mape']:.2%} on the same {m['skill_n']:,} held-out rows; skill "
            f"{m['skill'] * 100:+.3f} pts ({settings.skill_level:.0%} interval {m['skill_low'] * 100:+.3f}.."
            f"{m['skill_high'] * 100:+.3f}) does not clear {settings.min_skill * 100:+.3f}")


def decide(settings: Settings, challenger: dict, champion: dict | None, challenger_slices, champion_slices) -> tuple[bool, str]:
    """Gates first, then the champion on the same held-out rows; the reason always says which number decided."""
    m = challenger
    if m["mape"] > settings.max_mape:
        return False, f"MAPE {m['mape']:.1%} is above the gate {settings.max_mape:.0%}"
    if m["coverage"] < settings.min_coverage:
        return False, f"coverage {m['coverage']:.1%} is below the gate {settings.min_coverage:.0%}"
    if not settings.min_band_coverage <= m["band_coverage"] <= settings.max_band_coverage:
        return False, (
            f"band coverage {m['band_coverage']:.1%} is outside "
            f"{settings.min_band_coverage:.0%}-{settings.max_band_coverage:.0%}"
        )
    if not m["skill_low"] > settings.min_skill:
        return False, no_edge_reason(settings, m)
    if champion is None:
        return True, f"first model to pass the gates (MAPE {m['mape']:.2%}, band coverage {m['band_coverage']:.1%})"
    needed = champion["mape"] * (1 - settings.champion_margin)
    if m["mape"] >= needed:  # a tie keeps the champion: an identical rerun changes nothing
        return False, f"MAPE {m['mape']:.2%} does not beat the champion's {champion['mape']:.2%} on the same days"
    theirs = {(s["slice"], s["value"]): s["mape"] for s in champion_slices}
    for s in challenger_slices:
        before = theirs.get((s["slice"], s["value"]))
        if before is not None and s["mape"] > before + settings.slice_tolerance:
            return False, (
                f"slice {s['slice']}={s['value']} regresses: MAPE {s['mape']:.2%} vs champion {before:.2%}"
            )
    return True, f"MAPE {m['mape']:.2%} beats the champion's {champion['mape']:.2%} on the same held-out days"


def _figures(settings: Settings, test: pd.DataFrame, band: pd.DataFrame) -> dict:
    """The run's plots; a plotting failure costs the pictures, never the model."""
    try:
        from pokewatch import plots
        from pokewatch.costs import configured

        profile = configured(settings, [settings.default_profile])[0]  # the signals people see first
        signals = decide_signals(pd.concat([test, band], axis=1), SignalRule.from_settings(settings), profile)["signal"]
        return plots.training_figures(test, band, signals)
    except Exception:  # noqa: BLE001 - figures are a convenience
        import logging

        logging.getLogger(__name__).warning("could not draw the training plots", exc_info=True)
        return {}


def too_short(settings: Settings, as_of: dt.date, source: str = "tcgcsv") -> str | None:
    """Why a training at the settings' horizon cannot run on the landed history up to `as_of` (None: it can)."""
    with db.connect(settings) as conn:
        first = conn.execute("select min(as_of) from pokewatch.landings where source = %s and as_of <= %s "
                             "and as_of > %s", (source, as_of, as_of - dt.timedelta(
                                 days=history_days(settings.horizon_days, settings.holdout_days)))).fetchone()[0]
    try:
        time_split((as_of - first).days if first else -1, settings.horizon_days, settings.holdout_days)
    except NotEnoughHistory as exc:
        return str(exc)
    return None


@with_compute_threads
def train(settings: Settings, as_of: dt.date, source: str = "tcgcsv", lineage: dict[str, str] | None = None
          ) -> TrainResult:
    """Fit, evaluate against baselines and the champion, log to MLflow, register, decide."""
    started = time.perf_counter()
    registry.mlflow_client(settings)  # MLflow first: an unreachable tracking server fails before minutes of fitting
    with db.connect(settings) as conn:
        # and the features' own lookback before the first fit day, so fit rows see the windows scoring rows see
        history = load_history(conn, as_of, history_days(settings.horizon_days, settings.holdout_days)
                               + FEATURE_LOOKBACK_DAYS, source)
        cards, sets = load_reference(conn)
    if history.empty or pd.to_datetime(history["as_of"]).max().date() != as_of:
        raise NotEnoughHistory(f"no landed prices for {as_of}: collect or import that day first")
    panel = build_panel(history, cards, sets)
    split = time_split(panel.day_index(as_of), settings.horizon_days, settings.holdout_days)
    h = settings.horizon_days
    fit = frame_for_days(panel, split.fit_days, h, sample=settings.max_train_rows, seed=settings.random_seed)
    calibration = frame_for_days(panel, split.calibration_days, h)
    test = frame_for_days(panel, split.test_days, h)
    today = frame_for_days(panel, [panel.day_index(as_of)])

    model = FairPriceModel(band_level=settings.band_level, random_state=settings.random_seed).fit(fit, calibration)
    band = model.predict_band(test)
    report = evaluate(test, band)
    today_fair = model.predict_band(today)["fair_price"]
    coverage = float(np.isfinite(today_fair).mean()) if len(today) else 0.0
    metrics = {**report["model"], "coverage": coverage, "horizon_days": h}
    skill = paired_skill(test, band["fair_price"], level=settings.skill_level, seed=settings.random_seed)
    metrics.update({"skill": skill["skill"], "skill_low": skill["skill_low"], "skill_high": skill["skill_high"],
                    "skill_n": skill["n"]})
    metrics.update({f"{b}_mape": report[b]["mape"] for b in BASELINES})
    metrics.update({f"{b}_median_ape": report[b]["median_ape"] for b in BASELINES})

    champion = registry.load_alias(settings, registry.CHAMPION)
    champion_metrics, champion_slices = None, []
    if champion is not None:
        theirs = champion.model.predict_band(test)
        champion_metrics = error_metrics(test["target"], theirs["fair_price"])
        champion_slices = slice_metrics(test, theirs["fair_price"], theirs["fair_low"], theirs["fair_high"])
        metrics["champion_mape"] = champion_metrics["mape"]
    promote, reason = decide(settings, metrics, champion_metrics, report["slices"], champion_slices)

    days = panel.days
    params = {
        "as_of": str(as_of),
        "horizon_days": h,
        "holdout_days": settings.holdout_days,
        "band_level": settings.band_level,
        "fit_rows": len(fit),
        "calibration_rows": len(calibration),
        "test_rows": len(test),
        "fit_days": f"{days[split.fit_days[0]].date()}..{days[split.fit_days[-1]].date()}",
        "test_days": f"{days[split.test_days[0]].date()}..{days[split.test_days[-1]].date()}",
        "history_days": f"{days[0].date()}..{days[-1].date()}",
        "history_rows": len(history),
        "features": ",".join(FEATURES),
        **{k: v for k, v in model.get_params().items()},
    }
    metric_log = {**metrics, **{f"slice_{s['slice']}_{s['value']}_mape": s["mape"] for s in report["slices"]}}
    metric_log = {k.replace("$", "usd").replace("<", "lt").replace(">", "gt"): v for k, v in metric_log.items()}
    params.update({f"shrink_{label}": f"{factor:g} (dead zone {zone:g})"
                   for label, (factor, zone) in model.shrink_.items()})
    params = {k.replace("$", "usd").replace("<", "lt").replace(">", "gt"): v for k, v in params.items()}
    dataset = registry.training_dataset(
        fit[[*FEATURES, "target"]], {"table": "pokewatch.landed_prices", "source": source, "days": params["fit_days"],
                                     "as_of": str(as_of)}, name=f"{source} fit rows {params['fit_days']}")
    twin = registry.identical_champion(settings, dataset.digest)
    if twin is not None:  # said plainly, so a registry of identical versions is not mistaken for progress
        reason += f"; fitted on the same rows by the same code as champion version {twin}"
    figures = _figures(settings, test, band)
    try:
        version, run_id = registry.log_and_register(
            settings, model, params, metric_log, report["slices"], test[FEATURES].head(5),
            tags={"as_of": str(as_of), "decision": "champion" if promote else "rejected", "decision_reason": reason,
                  "source": source, "history_days": params["history_days"], "fit_days": params["fit_days"],
                  "test_days": params["test_days"], **(lineage or {})},
            figures=figures, dataset=dataset,
        )
    finally:
        if figures:
            from pokewatch import plots

            plots.close(figures)
    registry.record_decision(settings, version, promote, reason)
    with db.connect(settings) as conn:
        model_store.save_model_metrics(conn, as_of, version, run_id, promote, reason, metrics, report["slices"])
    if promote and settings.require_proven_edge:  # a new champion: its classes' walk-forward record, refreshed
        from pokewatch.backtest import store_warehouse_edges

        store_warehouse_edges(settings, as_of, source)
    return TrainResult(
        version=version,
        promoted=promote,
        reason=reason,
        metrics={**metrics, "mlflow_run_id": run_id},
        rows=len(fit),
        seconds=time.perf_counter() - started,
        champion_version=version if promote else (champion.version if champion else None),
        slices=report["slices"],
    )
