"""Walk-forward backtest: would the signals have made money, using only what was known each day?

Every day d of the history is a decision day. The model that decides on d was trained at the last
retraining day r <= d, on days whose `horizon`-day targets end before r (its calibration days end
`horizon` days before r: `split.training_days`, the rule training uses). Features of day d look only at days <= d.
Each cost profile (pokewatch.costs) decides on the same forecasts: a BUY is closed `horizon` days later at the
then market price, a SELL avoids the move over the same days, every return net of that profile's costs. Two
baselines face the same rule and guards: always HOLD (no trades, return 0) and mean reversion to the 30-day median
(fair price = 30-day median, a band of zero width). Always making the profile's trade (always_buy, or always_sell
for the seller: every series, every day) shows the market's drift after that profile's costs.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pokewatch.costs import CostProfile
from pokewatch.edge import class_edge
from pokewatch.evaluate import BASELINES, band_coverage, daily_spearman, error_metrics
from pokewatch.features import _ffill, build_panel, frame_for_days, target_array
from pokewatch.model import FairPriceModel
from pokewatch.scaleout import bounded_sample
from pokewatch.settings import PROJECT_DIR, Settings
from pokewatch.signals import SignalRule, decide_signals
from pokewatch.split import can_train, training_days
from pokewatch.threads import with_compute_threads

EXPERIMENT = "pokewatch-backtest"
DATASETS = {
    "sealed": PROJECT_DIR.parent / "shared/data/sealed/sealed_market_prices_daily_2024-02-08_2025-10-09.parquet",
    "tcgcsv": PROJECT_DIR.parent / "shared/data/tcgcsv/tcgcsv_prices_cat3_pokemon_2025-09-21_2025-10-26.parquet",
}
# The most history a warehouse walk-forward reads (a year: ~50 blocks of 7 days, and the walk-forward that runs
# on every promotion stays a few minutes on two cores).
WAREHOUSE_HISTORY_DAYS = 365
# always_buy / always_sell (the profile's trade on every priced series, no guard) is not a strategy to follow: it
# is the market's own drift after the profile's costs, the number a class has to be compared with.
STRATEGIES = ["model", "mean_reversion_30d", "always_hold", "always_trade"]


def load_dataset(dataset: str, path: Path | str | None = None) -> pd.DataFrame:
    """Long history (as_of, product_id, variant, set_id, low, mid, high, market) of a shared dataset.

    tcgcsv: the catalogue in tcgcsv's price schema. sealed: date, productId, marketPrice only, so every
    series is variant 'Normal' of set 0 with no low/mid/high.
    """
    path = Path(path or DATASETS[dataset])
    if dataset == "tcgcsv":
        from pokewatch.sources.files import read_price_history

        return read_price_history(path)
    if dataset == "sealed":
        raw = pd.read_parquet(path)
        return pd.DataFrame({
            "as_of": pd.to_datetime(raw["date"]).dt.date,
            "product_id": raw["productId"].astype("int64"),
            "variant": "Normal",
            "set_id": 0,
            "low": np.nan, "mid": np.nan, "high": np.nan,
            "market": raw["marketPrice"].astype("float64"),
        })
    raise ValueError(f"unknown dataset {dataset!r}: use one of {', '.join(DATASETS)}")


@dataclass
class BacktestResult:
    dataset: str
    path: str
    profiles: list[str]
    retrain_every: int
    days: str
    rows: list[dict] = field(default_factory=list)  # one per horizon × profile × strategy
    accuracy: list[dict] = field(default_factory=list)  # walk-forward MAPE per horizon: model vs last price
    edges: list = field(default_factory=list)  # pokewatch.edge.ClassEdge per horizon × profile
    # With keep_decisions: the model's decisions as graded rows (pokewatch.track_record, kind 'backtest').
    decisions: list = field(default_factory=list)
    retrains: int = 0
    seconds: float = 0.0
    mlflow_run_id: str | None = None


def _day_frame(panel) -> pd.DataFrame:
    """Features and baselines of every priced (day, series), with their day and column positions."""
    days = list(range(len(panel.days)))
    frame = frame_for_days(panel, days)
    day_pos, col_pos = [], []
    for j in days:
        cols = np.flatnonzero(~np.isnan(panel.market[j]))
        day_pos.append(np.full(len(cols), j))
        col_pos.append(cols)
    frame["day"] = np.concatenate(day_pos)
    frame["col"] = np.concatenate(col_pos)
    return frame


def summarise(strategy: str, horizon: int, profile: str, signal: np.ndarray, returns: np.ndarray) -> dict:
    """A strategy's record: `returns` is the profile's trade return on every row, counted where it traded."""
    traded = signal != "HOLD"
    r = returns[traded & np.isfinite(returns)]
    return {
        "horizon": horizon,
        "profile": profile,
        "strategy": "always_" + _side(signal, strategy) if strategy == "always_trade" else strategy,
        "decisions": int(len(signal)),
        "buy": int((signal == "BUY").sum()),
        "sell": int((signal == "SELL").sum()),
        "hit_rate": float((r > 0).mean()) if r.size else float("nan"),
        "mean_return": float(r.mean()) if r.size else 0.0,
        "median_return": float(np.median(r)) if r.size else 0.0,
        "total_return": float(r.sum()) if r.size else 0.0,
    }


def _side(signal: np.ndarray, strategy: str) -> str:
    return str(signal[0]).lower() if len(signal) else strategy


@with_compute_threads
def run_backtest(settings: Settings, dataset: str, profiles: list[CostProfile], horizons=(7, 30),
                 retrain_every: int = 30, start: dt.date | None = None, end: dt.date | None = None,
                 path: Path | str | None = None, lookback_days: int = 120, max_train_rows: int = 60_000,
                 max_iter: int = 100, log_to_mlflow: bool = True, history: pd.DataFrame | None = None,
                 keep_decisions: bool = False) -> BacktestResult:
    """Walk forward over a dataset (or the `history` given) for each horizon the data allows and each cost profile;
    see the module docstring. Each horizon × profile class gets its record (pokewatch.edge)."""
    started = time.perf_counter()
    if history is None:
        history = load_dataset(dataset, path)
    _check_long_enough(history, horizons, dataset, path)
    panel = build_panel(history)
    rule = SignalRule.from_settings(settings)
    frame = _day_frame(panel)
    last = _ffill(panel.market)
    n_days = len(panel.days)
    seen = np.where(np.isnan(panel.market), -1, np.arange(n_days)[:, None])  # day of each carried price
    np.maximum.accumulate(seen, axis=0, out=seen)
    first = 0 if start is None else max(0, int((pd.Timestamp(start) - panel.days[0]).days))
    stop = n_days - 1 if end is None else min(n_days - 1, int((pd.Timestamp(end) - panel.days[0]).days))
    result = BacktestResult(dataset, str(path or DATASETS.get(dataset, dataset)), [p.profile for p in profiles],
                            retrain_every, f"{panel.days[0].date()}..{panel.days[-1].date()}")
    for h in horizons:
        target = target_array(panel, h)
        frame["target"] = target[frame["day"].to_numpy(), frame["col"].to_numpy()]
        # Days a model can be trained for (enough fit days before its calibration days) whose outcome is known.
        decision_days = [d for d in range(first, stop + 1) if can_train(d, h) and d + h <= n_days - 1]
        if not decision_days:
            continue
        picks = {(p.profile, s): [] for p in profiles for s in STRATEGIES}
        decisions = {p.profile: [] for p in profiles}
        accuracy = []
        for block_start in range(decision_days[0], decision_days[-1] + 1, retrain_every):
            block = [d for d in decision_days if block_start <= d < block_start + retrain_every]
            if not block:
                continue
            model = _fit_at(frame, block_start, h, lookback_days, max_train_rows, max_iter, settings.band_level,
                            settings.random_seed)
            result.retrains += 1
            rows = frame[frame["day"].isin(block)]
            band = model.predict_band(rows)
            scored = pd.concat([rows, band], axis=1)
            scored = scored[np.isfinite(scored["fair_price"])]
            later = last[scored["day"].to_numpy() + h, scored["col"].to_numpy()]
            market = scored["market"].to_numpy(float)
            median30 = np.exp(scored["log_last"] - scored["dev_med_30"])
            reversion = scored.assign(fair_price=median30, fair_low=median30, fair_high=median30)
            for profile in profiles:
                trade_return = profile.net_return(market, later)
                model_signal = decide_signals(scored, rule, profile)["signal"].to_numpy()
                decisions[profile.profile].append(pd.DataFrame({"day": scored["day"].to_numpy(),
                                                                "signal": model_signal, "trade_return": trade_return}))
                if keep_decisions:
                    result.decisions.append(_graded_rows(panel, scored, model_signal, later, seen, h, profile))
                for name, signal in (("model", model_signal),
                                     ("mean_reversion_30d", decide_signals(reversion, rule, profile)["signal"].to_numpy()),
                                     ("always_hold", np.full(len(scored), "HOLD")),
                                     ("always_trade", np.full(len(scored), profile.signal))):
                    picks[(profile.profile, name)].append((signal, trade_return))
            labelled = scored[scored["target"].notna()]
            accuracy.append(labelled[["day", "market", "target", "fair_price", "fair_low", "fair_high",
                                      *(f"baseline_{b}" for b in BASELINES)]])
        for profile in profiles:
            for name in STRATEGIES:
                chosen = picks[(profile.profile, name)]
                result.rows.append(summarise(name, h, profile.profile, np.concatenate([c[0] for c in chosen]),
                                             np.concatenate([c[1] for c in chosen])))
            result.edges.append(class_edge(pd.concat(decisions[profile.profile], ignore_index=True), h,
                                           profile.profile, profile.signal, settings.edge_min_blocks,
                                           settings.skill_level, seed=settings.random_seed))
        acc = pd.concat(accuracy)
        model_err = error_metrics(acc["target"], acc["fair_price"])
        ranking = daily_spearman(acc, h, settings.skill_level, settings.random_seed)
        result.accuracy.append({
            "horizon": h,
            "first_decision_day": str(panel.days[decision_days[0]].date()),
            "last_decision_day": str(panel.days[decision_days[-1]].date()),
            "rows": model_err["n"],
            "model_mape": model_err["mape"],
            "model_median_ape": model_err["median_ape"],
            **{f"{b}_mape": error_metrics(acc["target"], acc[f"baseline_{b}"])["mape"] for b in BASELINES},
            "band_coverage": band_coverage(acc["target"], acc["fair_low"], acc["fair_high"]),
            **ranking,
        })
    result.seconds = time.perf_counter() - started
    if log_to_mlflow:
        result.mlflow_run_id = log_backtest(settings, result)
    return result


def _graded_rows(panel, scored: pd.DataFrame, signal: np.ndarray, later: np.ndarray, seen: np.ndarray, horizon: int,
                 profile: CostProfile) -> pd.DataFrame:
    """A block's decisions as track-record rows, graded like live signals: by the last price after the decision
    day and on or before its end day (a series with no such price is not graded)."""
    from pokewatch.track_record import backtest_outcomes

    day, col = scored["day"].to_numpy(), scored["col"].to_numpy()
    realised = seen[day + horizon, col]
    ok = (realised > day) & np.isfinite(later)
    series = panel.series.iloc[col[ok]]
    rows = pd.DataFrame({
        "product_id": series["product_id"].to_numpy(), "variant": series["variant"].to_numpy(),
        "as_of": panel.days[day[ok]].date, "signal": signal[ok], "market_price": scored["market"].to_numpy()[ok],
        "fair_price": scored["fair_price"].to_numpy()[ok], "realised_day": panel.days[realised[ok]].date,
        "realised_price": later[ok]})
    return backtest_outcomes(rows, profile, horizon)


def store_warehouse_edges(settings: Settings, as_of: dt.date, source: str = "tcgcsv",
                          horizons=None, profiles=None) -> BacktestResult:
    """Walk forward over the warehouse's landed history up to `as_of` and store what it found: each class's record
    in pokewatch.signal_edges (what scoring reads to publish a BUY/SELL class, or not) and every decision, graded,
    in pokewatch.signal_outcomes as kind 'backtest' (the track record a new installation starts with)."""
    from pokewatch import db, ranking
    from pokewatch.costs import load_profiles
    from pokewatch.edge import save_edges
    from pokewatch.history import load_history
    from pokewatch.track_record import replace_backtest

    with db.connect(settings) as conn:
        history = bounded_sample(load_history(conn, as_of, WAREHOUSE_HISTORY_DAYS, source),
                                 settings.walk_forward_max_cells)
        chosen = list(load_profiles(conn, profiles or settings.profiles).values())
    result = run_backtest(settings, "warehouse", chosen, horizons=tuple(horizons or (settings.horizon_days,)),
                          history=history, keep_decisions=True)
    with db.connect(settings) as conn:
        save_edges(conn, result.edges, "warehouse", result.days, result.mlflow_run_id)
        ranking.save(conn, result.accuracy, "warehouse", result.days, result.mlflow_run_id, settings.min_spearman)
        if result.decisions:
            replace_backtest(conn, pd.concat(result.decisions, ignore_index=True))
    return result


def _check_long_enough(history: pd.DataFrame, horizons, dataset: str, path) -> None:
    """One clear line when the history cannot hold a single decision at the shortest horizon."""
    days = pd.to_datetime(pd.Series(history["as_of"].unique())) if len(history) else pd.Series([], dtype="datetime64[ns]")
    h = min(horizons)
    span = int((days.max() - days.min()).days) + 1 if len(days) else 0
    need = min(d for d in range(h, 10 * h + 200) if can_train(d, h)) + h + 1
    if span < need:
        where = path or DATASETS.get(dataset, dataset)
        have = f"{len(days)} day(s), {days.min().date()}..{days.max().date()}" if len(days) else "no rows"
        raise ValueError(f"{where}: {have} of history; a {h}-day walk-forward backtest needs at least {need} "
                         "consecutive days (import more days, or use --dataset sealed)")


def _fit_at(frame: pd.DataFrame, day: int, horizon: int, lookback_days: int, max_rows: int, max_iter: int,
            band_level: float, seed: int) -> FairPriceModel:
    """A model trained on day `day`: every target it sees (fit or calibration) ends before that day."""
    fit_days, calibration_days = training_days(day, horizon, lookback_days)
    labelled = frame[frame["target"].notna()]
    fit = labelled[labelled["day"].isin(fit_days)]
    calibration = labelled[labelled["day"].isin(calibration_days)]
    if len(fit) > max_rows:
        fit = fit.sample(n=max_rows, random_state=seed)
    return FairPriceModel(band_level=band_level, max_iter=max_iter, random_state=seed).fit(fit, calibration)


def backtest_markdown(result: BacktestResult) -> str:
    lines = [
        f"## Backtest: {result.dataset} ({result.days})",
        "",
        f"Cost profiles {', '.join(result.profiles)}; retrained every {result.retrain_every} days "
        f"({result.retrains} fits); {result.seconds:.0f} s. Returns are per trade, after the profile's costs.",
        "",
        "| horizon | profile | strategy | decisions | BUY | SELL | hit rate | mean return | median return |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result.rows:
        hit = "-" if r["hit_rate"] != r["hit_rate"] else f"{r['hit_rate']:.1%}"
        trades = r["buy"] + r["sell"]
        mean = f"{r['mean_return']:+.2%}" if trades else "-"
        median = f"{r['median_return']:+.2%}" if trades else "-"
        lines.append(f"| {r['horizon']}d | {r['profile']} | {r['strategy']} | {r['decisions']:,} | {r['buy']:,} | "
                     f"{r['sell']:,} | "
                     f"{hit} | {mean} | {median} |")
    if result.edges:
        lines += ["", "Signal classes: published only when proven (pokewatch/edge.py):", "",
                  "| horizon | profile | class | trades | blocks | hit rate | mean net | 90 % interval | vs all | proven |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for e in result.edges:
            interval = "-" if not e.trades else f"{e.mean_low:+.2%}..{e.mean_high:+.2%}"
            hit = "-" if not e.trades else f"{e.hit_rate:.1%}"
            lines.append(f"| {e.horizon_days}d | {e.profile} | {e.signal} | {e.trades:,} | {e.blocks} | {hit} | "
                         f"{e.mean_return:+.2%} | {interval} | {e.excess_vs_buy_all:+.2%} | "
                         f"{'yes' if e.proven else 'no'} |")
    if result.accuracy:
        lines += ["", "Walk-forward accuracy (every decision day is out of sample):", "",
                  "| horizon | days | rows | model MAPE | last price | rolling median 7 | seed mean 3 | band coverage "
                  "| daily Spearman (90 % interval) |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for a in result.accuracy:
            lines.append(f"| {a['horizon']}d | {a['first_decision_day']}..{a['last_decision_day']} | {a['rows']:,} | "
                         f"{a['model_mape']:.3%} | {a['last_price_mape']:.3%} | {a['rolling_median_7_mape']:.3%} | "
                         f"{a['seed_mean_3_mape']:.3%} | {a['band_coverage']:.1%} | {a['spearman']:+.3f} "
                         f"({a['spearman_low']:+.3f}..{a['spearman_high']:+.3f}) |")
    return "\n".join(lines) + "\n"


def log_backtest(settings: Settings, result: BacktestResult) -> str:
    """One run in the `pokewatch-backtest` experiment: parameters, a metric per horizon × strategy, the table."""
    import mlflow

    from pokewatch import registry

    with registry.tracked_run(settings, f"backtest {result.dataset}", EXPERIMENT) as run:
        mlflow.log_params({"dataset": result.dataset, "path": result.path, "profiles": ",".join(result.profiles),
                           "retrain_every": result.retrain_every, "days": result.days, "retrains": result.retrains})
        metrics = {"seconds": result.seconds}
        for r in result.rows:
            for key in ("buy", "sell", "hit_rate", "mean_return", "median_return"):
                metrics[f"h{r['horizon']}_{r['profile']}_{r['strategy']}_{key}"] = r[key]
        for a in result.accuracy:
            for key in ("model_mape", "model_median_ape", "band_coverage", "spearman", "spearman_low",
                        *(f"{b}_mape" for b in BASELINES)):
                metrics[f"h{a['horizon']}_{key}"] = a[key]
        mlflow.log_metrics({k: float(v) for k, v in metrics.items() if v == v})
        mlflow.log_text(backtest_markdown(result), "backtest.md")
        mlflow.log_text(json.dumps({"rows": result.rows, "accuracy": result.accuracy,
                                    "edges": [e.as_row() for e in result.edges]}, indent=2), "backtest.json")
    return run.info.run_id
