"""The drift watch: has what the model sees today moved away from what it was fitted on?

Per run day, the population stability index (PSI) of
- every model feature (pokewatch.features.FEATURES but the set's and catalogue's momentum, one value a day),
  today's scored series vs the reference: the most recent
  REFERENCE_DAYS fit days of a model trained for today (pokewatch.split.training_days), every REFERENCE_STEP-th;
- the price level: log market prices, today vs the same reference days;
- the signal mix: today's BUY/SELL/HOLD shares vs the signals of the last MIX_RUNS earlier days.
A set's age grows by a day every day: its reference values are aged to today first, so only a change in the mix of
set ages counts as drift. PSI = sum over bins of (today - reference) × ln(today / reference), bins at the reference's deciles (categories
for categorical features and the signal mix). Below 0.1 is stable, 0.1-0.25 moderate, above 0.25 a shift: past
`drift_psi_threshold` the nightly ends in the Drifted state and names what moved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pokewatch.features import CATEGORICAL_FEATURES, FEATURE_LOOKBACK_DAYS, FEATURES, build_panel, frame_for_days
from pokewatch.split import training_days

REFERENCE_DAYS = 28
REFERENCE_STEP = 4
MIX_RUNS = 7
BINS = 10
EPSILON = 1e-4  # share given to an empty bin, so the logarithm stays finite
SIGNALS = ("BUY", "SELL", "HOLD")
AGEING_FEATURES = ("set_age_days",)  # grow one per day: compared at today's age
# One value per set or catalogue a day: their spread across days is the market's move (the price_level measure),
# not a change in what the model sees, so they are not compared.
MARKET_FEATURES = ("set_ret_30", "catalogue_ret_30")
COLUMNS = ["measure", "name", "statistic", "value", "threshold", "drifted", "detail"]


def psi_shares(reference: np.ndarray, today: np.ndarray) -> float:
    """PSI of two share vectors over the same bins."""
    ref = np.clip(np.asarray(reference, float), EPSILON, None)
    now = np.clip(np.asarray(today, float), EPSILON, None)
    ref, now = ref / ref.sum(), now / now.sum()
    return float(np.sum((now - ref) * np.log(now / ref)))


def psi(reference: np.ndarray, today: np.ndarray, categorical: bool = False) -> float:
    """PSI of a sample against a reference sample: decile bins of the reference (or its categories)."""
    reference = np.asarray(reference, float)
    today = np.asarray(today, float)
    reference, today = reference[np.isfinite(reference)], today[np.isfinite(today)]
    if reference.size == 0 or today.size == 0:
        return 0.0
    if categorical or np.unique(reference).size <= BINS:
        values = np.union1d(np.unique(reference), np.unique(today))
        count = lambda x: np.array([(x == v).sum() for v in values], float)  # noqa: E731
        return psi_shares(count(reference) / reference.size, count(today) / today.size)
    edges = np.unique(np.quantile(reference, np.linspace(0, 1, BINS + 1)[1:-1]))
    ref_bins = np.bincount(np.searchsorted(edges, reference, side="right"), minlength=edges.size + 1)
    now_bins = np.bincount(np.searchsorted(edges, today, side="right"), minlength=edges.size + 1)
    return psi_shares(ref_bins / reference.size, now_bins / today.size)


@dataclass
class DriftResult:
    as_of: dt.date
    rows: pd.DataFrame  # COLUMNS
    threshold: float

    @property
    def drifted(self) -> pd.DataFrame:
        return self.rows[self.rows["drifted"]].sort_values(["value", "name"], ascending=[False, True])

    def message(self) -> str:
        """One line naming what moved past the threshold (empty when nothing did)."""
        if self.drifted.empty:
            return ""
        moved = ", ".join(f"{r.name} (PSI {r.value:.2f})" for r in self.drifted.itertuples())
        return f"drift on {self.as_of}: {moved} past the threshold {self.threshold:g}"

    def line(self) -> str:
        worst = self.rows.sort_values("value", ascending=False).head(1)
        top = f"; largest {worst['name'].iloc[0]} PSI {worst['value'].iloc[0]:.3f}" if len(worst) else ""
        return self.message() or f"no drift past PSI {self.threshold:g} ({len(self.rows)} measures{top})"


def reference_positions(today: int, horizon: int) -> list[int]:
    fit, _ = training_days(today, horizon)
    return fit[-REFERENCE_DAYS:][::-1][::REFERENCE_STEP][::-1]


def measure(history: pd.DataFrame, cards: pd.DataFrame, sets: pd.DataFrame, as_of: dt.date, horizon: int,
            mix_today: pd.Series, mix_before: pd.Series, threshold: float) -> DriftResult:
    """Every measure for `as_of` (history: landed prices up to it; mix_*: signal counts by BUY/SELL/HOLD)."""
    panel = build_panel(history, cards, sets)
    today_pos = panel.day_index(as_of)
    positions = [p for p in reference_positions(today_pos, horizon) if p >= 0]
    rows = []
    if positions:
        reference, today = frame_for_days(panel, positions), frame_for_days(panel, [today_pos])
        elapsed = (pd.Timestamp(as_of) - pd.to_datetime(reference["as_of"])).dt.days.to_numpy()
        for feature in (f for f in FEATURES if f not in MARKET_FEATURES):
            ref = reference[feature].to_numpy(float) + (elapsed if feature in AGEING_FEATURES else 0)
            value = psi(ref, today[feature], feature in CATEGORICAL_FEATURES)
            rows.append(("feature", feature, value, _medians(ref, today[feature])))
        rows.append(("price_level", "price_level", psi(reference["log_last"], today["log_last"]),
                     "median market price " + _medians(np.exp(reference["log_last"]), np.exp(today["log_last"]),
                                                       money=True)))
        first, last = panel.days[positions[0]].date(), panel.days[positions[-1]].date()
        rows = [(m, n, v, f"{d}; reference {first}..{last} ({len(positions)} days)") for m, n, v, d in rows]
    if mix_before.sum() > 0:
        before = mix_before.reindex(SIGNALS, fill_value=0).to_numpy(float)
        now = mix_today.reindex(SIGNALS, fill_value=0).to_numpy(float)
        shares = lambda x: " / ".join(f"{s} {v:.1%}" for s, v in zip(SIGNALS, x / max(x.sum(), 1)))  # noqa: E731
        rows.append(("signal_mix", "signal_mix", psi_shares(before / before.sum(), now / max(now.sum(), 1)),
                     f"today {shares(now)}; last {MIX_RUNS} runs {shares(before)}"))
    frame = pd.DataFrame(rows, columns=["measure", "name", "value", "detail"])
    frame["statistic"] = "psi"
    frame["threshold"] = threshold
    frame["drifted"] = frame["value"] > threshold
    return DriftResult(as_of, frame[COLUMNS], threshold)


def _medians(reference, today, money: bool = False) -> str:
    fmt = (lambda v: f"${v:,.2f}") if money else (lambda v: f"{v:.4g}")  # noqa: E731
    ref, now = np.nanmedian(np.asarray(reference, float)), np.nanmedian(np.asarray(today, float))
    return f"median {fmt(ref)} -> {fmt(now)}"


def run(settings, as_of: dt.date, run_id=None, source: str = "tcgcsv") -> DriftResult:
    """Measure the day's drift from the warehouse and store it (a rerun of the day replaces it)."""
    from pokewatch import db, history

    lookback = FEATURE_LOOKBACK_DAYS + REFERENCE_DAYS + 2 * settings.horizon_days + 10
    with db.connect(settings) as conn:
        prices = history.load_history(conn, as_of, lookback, source)
        cards, sets = history.load_reference(conn)
        mix_today = _mix(conn, "as_of = %s", (as_of,))
        mix_before = _mix(conn, "as_of in (select distinct as_of from pokewatch.signals where as_of < %s "
                                "order by as_of desc limit %s)", (as_of, MIX_RUNS))
    if prices.empty or pd.to_datetime(prices["as_of"]).max().date() != as_of:
        raise RuntimeError(f"no landed prices for {as_of}: no drift can be measured")
    result = measure(prices, cards, sets, as_of, settings.horizon_days, mix_today, mix_before,
                     settings.drift_psi_threshold)
    with db.connect(settings) as conn, conn.transaction():
        conn.execute("delete from pokewatch.drift where as_of = %s", (as_of,))
        with conn.cursor() as cur:
            cur.executemany(f"insert into pokewatch.drift (as_of, run_id, {', '.join(COLUMNS)}) "
                            f"values (%s, %s, {', '.join(['%s'] * len(COLUMNS))})",
                            [(as_of, str(run_id) if run_id else None, r.measure, r.name, r.statistic, float(r.value),
                              float(r.threshold), bool(r.drifted), r.detail)
                             for r in result.rows.itertuples(index=False)])
    return result


def _mix(conn, where: str, params: tuple) -> pd.Series:
    rows = conn.execute(f"select signal, count(*) from pokewatch.signals where {where} group by signal",
                        params).fetchall()
    return pd.Series({s: n for s, n in rows}, dtype=float)
