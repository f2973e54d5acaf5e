"""The track record: every signal graded once its horizon has ended, live and walk-forward, in one table.

A signal made on day d with horizon h is judged on its end day d + h, by the last landed market price after d
and on or before d + h (never a later one), and only once d + h has landed and the grading day has reached it.
Its net return uses its cost profile's fees, the same arithmetic as the signal rule and the backtest
(`CostProfile.net_return`): every row records what the profile's trade would have made (`trade_return`); a BUY or
SELL made it, a HOLD traded nothing and is right when the trade would not have paid. Grading a day again replaces
its rows (never doubles them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import psycopg

from pokewatch.costs import CostProfile, load_profiles, profile_for
from pokewatch.db import copy_in, copy_out
from pokewatch.price_bands import price_band

OUTCOME_COLUMNS = [
    "kind", "product_id", "variant", "as_of", "model_version", "horizon_days", "profile", "cost_share", "signal",
    "price_band", "market_price", "fair_price", "end_day", "realised_day", "realised_price", "market_move",
    "trade_return", "net_return", "hit",
]
KEY = ["kind", "product_id", "variant", "as_of", "model_version", "horizon_days", "profile"]

# Signals due for grading: horizon ended on or before the grading day, end day landed, not graded since they were
# (re)published; each with the last landed market price after its day and on or before its end day. `due` is
# materialized: planned inline, PostgreSQL walked every landed price into the signals' index (1.3 s of wall time
# on 2 cores for a night with nothing due, 0.4 s so).
DUE_SIGNALS = """
    with signals as (
        select s.product_id, s.variant, s.as_of, s.model_version, s.signal, s.market_price, s.fair_price,
               s.profile, s.cost_share, s.horizon_days, s.scored_at
        from pokewatch.signals s
        where s.as_of >= %(since)s and s.market_price > 0
    ),
    due as materialized (
        select signals.*, signals.as_of + signals.horizon_days as end_day
        from signals
        where signals.as_of + signals.horizon_days <= %(through)s
          and exists (select 1 from pokewatch.landings l
                      where l.source = %(source)s and l.as_of = signals.as_of + signals.horizon_days)
          and not exists (select 1 from pokewatch.signal_outcomes o
                          where o.kind = 'live' and o.product_id = signals.product_id and o.variant = signals.variant
                            and o.as_of = signals.as_of and o.model_version = signals.model_version
                            and o.horizon_days = signals.horizon_days and o.profile = signals.profile
                            and o.graded_at >= signals.scored_at)
    )
    select distinct on (due.product_id, due.variant, due.as_of, due.model_version, due.horizon_days, due.profile)
           due.product_id, due.variant, due.as_of, due.model_version, due.signal, due.profile, due.cost_share,
           due.horizon_days, due.market_price, due.fair_price, due.end_day, p.as_of as realised_day,
           p.market as realised_price
    from due
    join pokewatch.landed_prices p
      on p.source = %(source)s and p.product_id = due.product_id and p.variant = due.variant
     and p.as_of > due.as_of and p.as_of <= due.end_day and p.market > 0
    order by due.product_id, due.variant, due.as_of, due.model_version, due.horizon_days, due.profile, p.as_of desc
"""


@dataclass
class GradeResult:
    graded: int
    through: dt.date
    summary: list[dict]  # the live track record of the model versions graded (signal_track_record rows)

    def line(self) -> str:
        return f"{self.graded:,} signal(s) graded through {self.through}"


def outcomes(frame: pd.DataFrame, kind: str, profiles: dict[str, CostProfile]) -> pd.DataFrame:
    """Trade return, net return and hit of each row (columns: product_id, variant, as_of, model_version, signal,
    profile, cost_share, horizon_days, market_price, fair_price, end_day, realised_day, realised_price); a profile
    not in `profiles` is a legacy flat cost (its cost_share)."""
    frame = frame.reset_index(drop=True)
    market = frame["market_price"].to_numpy(float)
    realised = frame["realised_price"].to_numpy(float)
    signal = frame["signal"].to_numpy(str)
    trade, net = np.full(len(frame), np.nan), np.full(len(frame), np.nan)
    cost = frame["cost_share"].astype(float).fillna(0.0).to_numpy()
    for name, at in frame.groupby("profile", sort=False).indices.items():
        profile = profile_for(name, profiles, cost[at])
        trade[at] = profile.net_return(market[at], realised[at])
        net[at] = profile.net_return(market[at], realised[at], signal[at])  # a legacy SELL: the move it avoided
    net = np.where(signal == "HOLD", np.nan, net)
    hit = np.where(signal == "HOLD", trade <= 0, net > 0)
    return frame.assign(kind=kind, market_move=realised / market - 1.0, trade_return=trade, net_return=net, hit=hit,
                        price_band=np.asarray(price_band(market)).astype(str))[OUTCOME_COLUMNS]


def store(conn: psycopg.Connection, graded: pd.DataFrame) -> int:
    """Upsert graded rows (in the caller's transaction): a row graded again replaces the old one."""
    if graded.empty:
        return 0
    with conn.transaction():
        conn.execute("create temporary table graded (like pokewatch.signal_outcomes including defaults) "
                     "on commit drop")
        copy_in(conn, "graded", graded, OUTCOME_COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in OUTCOME_COLUMNS if c not in KEY)
        conn.execute(f"insert into pokewatch.signal_outcomes ({', '.join(OUTCOME_COLUMNS)}) "
                     f"select {', '.join(OUTCOME_COLUMNS)} from graded "
                     f"on conflict ({', '.join(KEY)}) do update set {updates}, graded_at = now()")
    return len(graded)


def grade(conn: psycopg.Connection, through: dt.date, source: str, lookback_days: int = 400) -> GradeResult:
    """Grade every live signal whose horizon ended on or before `through` (its end day landed), with the fees of
    its cost profile as they are now (a legacy profile: its flat cost)."""
    due = copy_out(conn, DUE_SIGNALS, {"through": through, "source": source,
                                       "since": through - dt.timedelta(days=lookback_days)})
    rows = store(conn, outcomes(due, "live", load_profiles(conn))) if len(due) else 0
    versions = sorted({int(v) for v in due["model_version"]}) if len(due) else []
    return GradeResult(rows, through, record(conn, kind="live", versions=versions))


def record(conn: psycopg.Connection, kind: str | None = None, versions: list[int] | None = None,
           limit: int = 40) -> list[dict]:
    """Rows of the signal_track_record view (all bands together), BUY/SELL first."""
    where, params = ["price_band = 'all'"], []
    if kind:
        where.append("kind = %s")
        params.append(kind)
    if versions is not None:
        where.append("model_version = any(%s)")
        params.append(versions)
    cur = conn.execute(
        f"""select kind, model_version, horizon_days, profile, signal, n, days, hit_rate, mean_net_return,
                   median_net_return, always_trade_mean_net_return, always_hold_hit_rate
            from pokewatch.signal_track_record where {' and '.join(where)}
            order by kind, model_version desc, horizon_days, profile, (signal = 'HOLD'), signal limit %s""",
        (*params, limit))
    names = [c.name for c in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def backtest_outcomes(decisions: pd.DataFrame, profile: CostProfile, horizon_days: int) -> pd.DataFrame:
    """Walk-forward decisions (product_id, variant, as_of, signal, market_price, fair_price, realised_day,
    realised_price) of one profile as graded rows of kind 'backtest', model version 0."""
    market, fair = decisions["market_price"].to_numpy(float), decisions["fair_price"].to_numpy(float)
    frame = decisions.assign(model_version=0, profile=profile.profile, horizon_days=horizon_days,
                             cost_share=profile.gross_return(market, fair) - profile.net_return(market, fair),
                             end_day=pd.to_datetime(decisions["as_of"]) + pd.Timedelta(days=horizon_days))
    frame["end_day"] = frame["end_day"].dt.date
    return outcomes(frame, "backtest", {profile.profile: profile})


def replace_backtest(conn: psycopg.Connection, graded: pd.DataFrame) -> int:
    """The walk-forward record replaces the previous one of the same horizons and profiles, in one transaction.
    Its rows are new once the old ones are gone (one decision per series, day, horizon and profile), so they are
    copied straight in: no staging table, no upsert (a year of three profiles is over a million rows)."""
    with conn.transaction():
        for (h, name) in graded[["horizon_days", "profile"]].drop_duplicates().itertuples(index=False):
            conn.execute("delete from pokewatch.signal_outcomes where kind = 'backtest' and horizon_days = %s "
                         "and profile = %s", (int(h), str(name)))
        return copy_in(conn, "pokewatch.signal_outcomes", graded, OUTCOME_COLUMNS) if len(graded) else 0
