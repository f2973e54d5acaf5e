"""Read-side queries the CLI shows (the same views analysts use)."""

from __future__ import annotations

import pandas as pd

from pokewatch import db
from pokewatch.settings import Settings


def latest_signals(settings: Settings, limit: int = 20, signal: str | None = None, set_name: str | None = None,
                   min_price: float | None = None, card: str | None = None, profile: str | None = None,
                   horizon: int | None = None) -> pd.DataFrame:
    """Newest signal per card variant for a cost profile (default: the shown one, pokewatch.signal_choice),
    filtered, biggest absolute deviation first.

    `card`: a card as people name it (pokewatch.find_cards: "charizard ex 201/165" or a seed id).
    """
    where, params = ["true"], []
    if card:
        where.append("product_id in (select product_id from pokewatch.find_cards(%s))")
        params.append(card)
    if signal:
        where.append("signal = %s")
        params.append(signal)
    if set_name:
        where.append("set_name ilike %s")
        params.append(f"%{set_name}%")
    if min_price is not None:
        where.append("market_price >= %s")
        params.append(min_price)
    params.append(limit)
    with db.connect(settings) as conn:
        if profile:
            from pokewatch.costs import load_profiles

            load_profiles(conn, [profile])  # an unknown profile: one clear line, not an empty table
            conn.execute("select set_config('pokewatch.profile', %s, true)", (profile,))
        if horizon:
            conn.execute("select set_config('pokewatch.horizon_days', %s, true)", (str(int(horizon)),))
        cur = conn.execute(
            f"""
            select product_id, card_name, card_number, set_name, set_code, language, rarity, variant, as_of,
                   market_price::float8, fair_price::float8, fair_low::float8, fair_high::float8,
                   deviation_pct, signal, confidence, reason, model_version, profile, horizon_days, net_return,
                   is_current
            from pokewatch.latest_signals
            where {' and '.join(where)}
            order by (signal <> 'HOLD') desc, abs(deviation_pct) desc nulls last, product_id, variant
            limit %s
            """,
            params,
        )
        columns = [c.name for c in cur.description]
        return pd.DataFrame(cur.fetchall(), columns=columns)


def warehouse_status(settings: Settings) -> dict:
    from pokewatch.track_record import record  # imports the model code: only when needed

    with db.connect(settings) as conn:
        runs = conn.execute(
            """
            select as_of, status, started_at, extract(epoch from finished_at - started_at)::float8 as seconds,
                   model_version, error
            from pokewatch.runs order by started_at desc limit 10
            """
        ).fetchall()
        counts = conn.execute(
            """
            select (select count(*) from pokewatch.prices) as prices,
                   (select count(distinct as_of) from pokewatch.landings) as landed_days,
                   (select max(as_of) from pokewatch.landings) as last_landed_day,
                   (select count(*) from pokewatch.signals) as signals,
                   (select count(*) from pokewatch.latest_signals) as latest_signals,
                   (select count(distinct product_id) from pokewatch.landed_prices) as priced_products,
                   (select count(*) from pokewatch.catalogue c
                    where not c.named and exists (select 1 from pokewatch.cards k where k.product_id = c.product_id))
                       as unnamed_products,
                   (select unpriced_series from pokewatch.runs where status = 'succeeded'
                    order by finished_at desc limit 1) as unpriced_series_last_run
            """
        ).fetchone()
        last = conn.execute("select warning from pokewatch.runs where status = 'succeeded' "
                            "order by finished_at desc limit 1").fetchone()
        track = record(conn, limit=12)
        alerts = conn.execute("select as_of, count(*), string_agg(distinct kind, ', ') from pokewatch.alerts "
                              "where as_of = (select max(as_of) from pokewatch.alerts) group by as_of").fetchone()
        champion = conn.execute(
            "select model_version from pokewatch.runs where status = 'succeeded' order by finished_at desc limit 1"
        ).fetchone()
    keys = ["as_of", "status", "started_at", "seconds", "model_version", "error"]
    return {
        "runs": [dict(zip(keys, r)) for r in runs],
        "counts": dict(zip(["prices", "landed_days", "last_landed_day", "signals", "latest_signals",
                            "priced_products", "unnamed_products", "unpriced_series_last_run"], counts)),
        "champion": f"version {champion[0]} (last used)" if champion else None,
        "warning": last[0] if last else None,
        "track_record": track,
        "alerts": f"alerts on {alerts[0]}: {alerts[1]:,} ({alerts[2]})" if alerts else None,
    }


def alert_feed(settings: Settings, day=None, kind: str | None = None, card: str | None = None,
               limit: int = 20) -> pd.DataFrame:
    """Alerts of a day (default: the newest day with alerts) from the alert_feed view, biggest moves first."""
    where, params = ["as_of = coalesce(%s::date, (select max(as_of) from pokewatch.alerts))"], [day]
    if kind:
        where.append("kind = %s")
        params.append(kind)
    if card:
        where.append("product_id in (select product_id from pokewatch.find_cards(%s))")
        params.append(card)
    with db.connect(settings) as conn:
        cur = conn.execute(
            f"""
            select as_of, product_id, card_name, set_name, variant, kind, market_price::float8,
                   reference_price::float8, change_pct, detail, kind_history_alerts, kind_mean_move_after,
                   kind_gave_back_half_share
            from pokewatch.alert_feed
            where {' and '.join(where)}
            order by kind like 'thin%%' or kind like 'stale%%', abs(change_pct) desc nulls last, product_id, variant
            limit %s
            """,
            (*params, limit),
        )
        return pd.DataFrame(cur.fetchall(), columns=[c.name for c in cur.description])


def class_edges(settings: Settings) -> pd.DataFrame:
    """Each signal class's newest walk-forward record (the signal_class_edges view)."""
    with db.connect(settings) as conn:
        cur = conn.execute("select * from pokewatch.signal_class_edges order by horizon_days, profile, signal")
        return pd.DataFrame(cur.fetchall(), columns=[c.name for c in cur.description])
