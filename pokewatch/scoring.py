"""Scoring stage, the one path: every series priced on the day, through the champion, into signals.

`request()` builds a frozen ScoringRequest once (the day, the champion's version, the run, the signal rule, the
cost profiles, the source, the catalogue-wide facts features need). Each series is forecast once and decided for
every cost profile: one signal row per series × profile. `plan()` splits the day's series into partitions
(pokewatch.scaleout: by a stable hash of product_id). `score_partition()` scores one partition and writes
nothing; `publish()` validates all partitions' signals as one set and publishes them in ONE transaction, so a
run's signals appear all at once. `score()` runs those steps in this process, one partition after the other;
flows/score.py maps the same `score_partition` over the partitions as Prefect tasks (threads or Dask).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from pokewatch import db, history, ranking, registry, scaleout
from pokewatch.costs import CostProfile, load_profiles
from pokewatch.edge import gate as gate_classes
from pokewatch.edge import load_edges
from pokewatch.features import FEATURE_LOOKBACK_DAYS, build_panel, frame_for_days
from pokewatch.partitions import ensure_coming_month
from pokewatch.publish import SCORED_COLUMNS, SIGNAL_COLUMNS, publish_signals, with_rank
from pokewatch.settings import Settings
from pokewatch.signals import SignalRule, decide_signals
from pokewatch.threads import with_compute_threads

# The history a day's features depend on: scoring reads no more (and gets what training computed for that day).
SCORING_LOOKBACK_DAYS = FEATURE_LOOKBACK_DAYS
# Columns a partition hands back: what is published, plus the market price for the run's summary.
PARTITION_COLUMNS = [*SCORED_COLUMNS, "market"]
_VALIDATION_LOCK = threading.Lock()  # Great Expectations contexts are not shared safely between threads


# The version signals carry when no model has beaten "last price": fair price = last price, every signal HOLD.
NO_MODEL = 0


class NoChampion(RuntimeError):
    """No model has earned the champion alias."""


@dataclass(frozen=True)
class ScoringRequest:
    """What scoring one day needs, resolved once and passed whole from the flow to where each part is used."""

    as_of: dt.date
    run_id: uuid.UUID
    model_version: int
    rule: SignalRule
    source: str = "tcgcsv"
    lookback_days: int = SCORING_LOOKBACK_DAYS
    # set_id → its first landed day in the window: the release-date fallback, the same in every partition.
    set_first_seen: dict[int, str] = field(default_factory=dict)
    # With model_version NO_MODEL: why no model is used (the last training decision, with its numbers).
    no_edge: str = ""
    # The cost profiles each series is decided for (pokewatch.costs), in the order published.
    profiles: tuple[CostProfile, ...] = ()
    # The walk-forward record of each (profile, signal) class at this horizon (pokewatch.edge); None: not required.
    edges: dict | None = None
    horizon_days: int = 7
    # Whether the series' rank in the day's universe is published (pokewatch.ranking: the walk-forward's Spearman).
    ranked: bool = True


@dataclass(frozen=True)
class ScoringPlan:
    request: ScoringRequest
    series: int  # series with a market price on the day: the ones scored
    partitions: list[scaleout.Partition]
    unpriced: int = 0  # series landed on the day without a market price ("no price today"): counted, not scored


@dataclass
class ScoreResult:
    rows: int
    model_version: int
    counts: dict[str, int]
    seconds: float
    publish_seconds: float
    top: pd.DataFrame
    validation_summary: str = ""
    partitions: int = 1
    priced: int = 0  # series with a market price on the day
    unpriced: int = 0  # series landed without one
    profiles: int = 1  # cost profiles each series was decided for (a row each)

    @property
    def coverage(self) -> float:
        """Signals published ÷ (series with a price today × cost profiles)."""
        return self.rows / (self.priced * self.profiles) if self.priced else 0.0


def champion_version(settings: Settings) -> int:
    """The champion's version number, without loading the model; NoChampion if none has earned the alias."""
    from mlflow.exceptions import MlflowException

    client = registry.mlflow_client(settings)
    try:
        return int(client.get_model_version_by_alias(settings.model_name,
                                                     registry.alias_for(settings, registry.CHAMPION)).version)
    except MlflowException:
        raise NoChampion(
            "no champion model: no model has passed the gates yet, so no signals were written "
            "(see the train stage's decision)"
        ) from None


def request(settings: Settings, as_of: dt.date, run_id: uuid.UUID, rule: SignalRule | None = None,
            source: str = "tcgcsv", profiles: list[str] | None = None, no_edge: str | None = None
            ) -> ScoringRequest:
    """The day's scoring request, and the months' partitions made ready.

    Without a champion (no model has beaten "last price" on held-out rows) the day is still published: every
    series HOLD at its last price under version NO_MODEL, the reason quoting the last training decision (or
    `no_edge`, why this run could not train at the horizon)."""
    reason, no_edge = no_edge, ""
    try:
        version = champion_version(settings)
    except NoChampion:
        version = NO_MODEL
    with db.connect(settings) as conn:
        ensure_coming_month(conn, as_of)  # this month's and next month's partitions, ahead of need
        first_seen = history.set_first_seen(conn, as_of, SCORING_LOOKBACK_DAYS, source)
        if version == NO_MODEL:
            no_edge = reason or _last_decision(conn, settings.horizon_days, settings.forecast_horizons[0])
        rule = rule or SignalRule.from_settings(settings)
        chosen = load_profiles(conn, profiles or settings.profiles)
        edges = load_edges(conn, settings.horizon_days, chosen) if settings.require_proven_edge else None
        ranked = ranking.load(conn, settings.horizon_days)[0] if settings.require_proven_edge else True
    return ScoringRequest(as_of, run_id, version, rule, source, set_first_seen=first_seen, no_edge=no_edge,
                          profiles=tuple(chosen.values()), edges=edges, horizon_days=settings.horizon_days,
                          ranked=ranked and version != NO_MODEL)


def _last_decision(conn, horizon: int, primary: int) -> str:
    """The newest rejected training at this horizon (its metric horizon_days; versions before horizons were
    recorded count as the primary horizon's)."""
    row = conn.execute(
        "select m.reason from pokewatch.model_metrics m where not m.promoted and m.metric = 'mape' "
        "and coalesce((select h.value from pokewatch.model_metrics h where h.as_of = m.as_of "
        "and h.model_version = m.model_version and h.metric = 'horizon_days' limit 1), %s) = %s "
        "order by m.as_of desc, m.model_version desc limit 1", (primary, horizon)).fetchone()
    if row is None:
        return f"no edge at {horizon} days: no model has been trained yet"
    if row[0].startswith("no edge at"):
        return row[0]
    return f"no edge at {horizon} days: no model has passed the gates (last training: {row[0]})"


def plan(settings: Settings, scoring: ScoringRequest) -> ScoringPlan:
    """The day's priced series split into partitions; no landed price that day is an error."""
    with db.connect(settings) as conn:
        landed = history.day_series(conn, scoring.as_of, scoring.source)
    series = landed[landed["priced"]]
    if series.empty:
        raise RuntimeError(f"no landed prices for {scoring.as_of}: nothing to score")
    return ScoringPlan(scoring, len(series), scaleout.plan_partitions(series, settings.partition_size),
                       int((~landed["priced"]).sum()))


@lru_cache(maxsize=4)
def _load_model(tracking_uri: str, model_name: str, version: int):
    return registry.load_version(tracking_uri, model_name, version)


def load_model(settings: Settings, version: int):
    """The registered model of that version, loaded once per process (a Dask worker reuses it across partitions)."""
    registry.mlflow_client(settings)  # tracking URI and experiment as everywhere else
    return _load_model(settings.tracking_uri, settings.model_name, int(version))


@with_compute_threads
def score_partition(settings: Settings, scoring: ScoringRequest, partition: scaleout.Partition,
                    prices: pd.DataFrame | None = None) -> pd.DataFrame:
    """Signals of one partition's products: its history (read here unless given), reference data, features, the
    model of the request's version (loaded once per process), band and decision. Writes nothing."""
    if prices is None:  # every horizon of a nightly scores the same features: computed once (history.shared)
        today = history.shared(
            ("scoring features", settings.database_url.get_secret_value(), scoring.as_of, scoring.source,
             scoring.lookback_days, partition.product_filter, tuple(sorted(scoring.set_first_seen.items()))),
            lambda: _features(settings, scoring, partition, None))
    else:
        today = _features(settings, scoring, partition, prices)
    if scoring.model_version == NO_MODEL:  # no model beats "last price": the honest forecast is the last price
        market = today["market"].to_numpy(float)
        scored = today.assign(fair_price=market, fair_low=market, fair_high=market)
    else:
        model = load_model(settings, scoring.model_version)
        scored = pd.concat([today, model.predict_band(today)], axis=1)
        scored = scored[np.isfinite(scored["fair_price"])]
    scored = scored[["product_id", "variant", "market", "fair_price", "fair_low", "fair_high", "days_observed",
                     "flat_share_30"]]
    out = pd.concat([_decide(scored, scoring, profile) for profile in scoring.profiles], ignore_index=True)
    out["market_price"] = out["market"]
    out["model_version"] = scoring.model_version
    out["run_id"] = str(scoring.run_id)
    out["as_of"] = scoring.as_of
    out["horizon_days"] = scoring.horizon_days
    return out[PARTITION_COLUMNS]


def _features(settings: Settings, scoring: ScoringRequest, partition: scaleout.Partition,
              prices: pd.DataFrame | None) -> pd.DataFrame:
    """The partition's rows on the day with their features, validated (raises before anything is written)."""
    from pokewatch import validation

    products = partition.product_filter
    with db.connect(settings) as conn:
        if prices is None:
            prices = history.load_history(conn, scoring.as_of, scoring.lookback_days, scoring.source, products)
        cards, sets = history.load_reference(conn)
    if prices.empty or pd.to_datetime(prices["as_of"]).max().date() != scoring.as_of:
        raise RuntimeError(f"no landed prices for {scoring.as_of}: nothing to score")
    if products is not None:
        cards = cards[cards["product_id"].isin(products)]
    panel = build_panel(prices, cards, scaleout.sets_with_first_seen(sets, scoring.set_first_seen))
    today = frame_for_days(panel, [panel.day_index(scoring.as_of)])
    with _VALIDATION_LOCK:
        validation.validate_features(today, dataset="scoring features", severities=settings.validation_severity)
    return today


def _decide(scored: pd.DataFrame, scoring: ScoringRequest, profile: CostProfile) -> pd.DataFrame:
    """One profile's signals: the rule, then the class's walk-forward gate; without a model, HOLD with the last
    training decision as the reason."""
    out = pd.concat([scored, decide_signals(scored, scoring.rule, profile)], axis=1).assign(profile=profile.profile)
    if scoring.model_version == NO_MODEL:
        return out.assign(signal="HOLD", confidence=0.0, reason=scoring.no_edge)
    if scoring.edges is not None:  # a BUY/SELL class without a proven walk-forward record says HOLD
        out = gate_classes(out, scoring.edges.get((profile.profile, profile.signal)), profile.signal,
                           scoring.horizon_days, profile.profile)
    return out


def publish(settings: Settings, scoring_plan: ScoringPlan, parts: list[pd.DataFrame], started: float) -> ScoreResult:
    """Concatenate the partitions' signals, validate them as one set and publish them in one transaction."""
    from pokewatch import validation

    scoring = scoring_plan.request
    signals = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=PARTITION_COLUMNS)
    if signals.empty:
        raise RuntimeError(f"no series scored for {scoring.as_of}: nothing to publish")
    signals_report = validation.validate_signals(with_rank(signals)[SIGNAL_COLUMNS],
                                                 severities=settings.validation_severity)  # the contract before publication
    publish_started = time.perf_counter()
    with db.connect(settings) as conn:
        rows = publish_signals(conn, signals, scoring.as_of, scoring.model_version, ranked=scoring.ranked)
        conn.execute("update pokewatch.signal_defaults set profile = %s, horizon_days = %s, updated_at = now()",
                     (settings.default_profile, settings.forecast_horizons[0]))
    publish_seconds = time.perf_counter() - publish_started
    counts = signals["signal"].value_counts().reindex(["BUY", "SELL", "HOLD"], fill_value=0).to_dict()
    ranked = signals.assign(gain=signals["net_return"] * signals["market"])  # before filtering: assigning a
    # Series to an empty frame would take the Series' index (rows of NaN)
    top = pd.concat([ranked[ranked["signal"] == s].nlargest(5, "gain") for s in ("BUY", "SELL")])
    with db.connect(settings) as conn:  # the names the run summary shows (pokewatch.catalogue)
        names = dict(conn.execute("select product_id, card_name from pokewatch.catalogue where product_id = any(%s)",
                                  ([int(p) for p in top["product_id"]],)).fetchall())
    top = top.assign(card_name=[names.get(int(p)) or f"product #{p}" for p in top["product_id"]])
    return ScoreResult(rows, scoring.model_version, {k: int(v) for k, v in counts.items()},
                       time.perf_counter() - started, publish_seconds,
                       top[["product_id", "card_name", "variant", "profile", "signal", "market", "fair_price",
                            "net_return", "confidence", "reason"]],
                       signals_report.summary(), len(scoring_plan.partitions), scoring_plan.series,
                       scoring_plan.unpriced, len(scoring.profiles))


def score(settings: Settings, scoring: ScoringRequest) -> ScoreResult:
    """Plan, score every partition in this process, publish atomically (the flow runs the partitions as tasks).

    One process reads the history window once and hands each partition its slice (a query per partition would
    scan the window once per partition).
    """
    started = time.perf_counter()
    scoring_plan = plan(settings, scoring)
    with db.connect(settings) as conn:
        prices = history.load_history(conn, scoring.as_of, scoring.lookback_days, scoring.source)
    parts = [score_partition(settings, scoring, p, prices if p.product_filter is None
                             else prices[prices["product_id"].isin(p.product_filter)])
             for p in scoring_plan.partitions]
    return publish(settings, scoring_plan, parts, started)
