-- Movers and alerts per product, variant and day, and each alert kind's historical follow-through.
-- depends: 0010_signal_outcomes

create table pokewatch.alerts (
    as_of            date not null,
    product_id       bigint not null,
    variant          text not null,
    kind             text not null,
    market_price     numeric(12, 2) not null,
    reference_price  numeric(12, 2),
    change_pct       double precision,
    detail           text not null,
    run_id           uuid,
    primary key (as_of, product_id, variant, kind)
);
create index alerts_kind_idx on pokewatch.alerts (kind, as_of);

comment on table pokewatch.alerts is
    'One row per alert: a product variant that moved, set a new high or low, or whose market looks stale or thin on a day. Written by each nightly run (a rerun of a day replaces that day''s alerts).';
comment on column pokewatch.alerts.as_of is 'Day of the alert.';
comment on column pokewatch.alerts.product_id is 'TCGplayer product id.';
comment on column pokewatch.alerts.variant is 'Printing (Normal, Holofoil, ...).';
comment on column pokewatch.alerts.kind is 'rise_1d, drop_1d, rise_7d, drop_7d, rise_30d, drop_30d (move of at least POKEWATCH_ALERT_MOVE_SHARE), high_30d, low_30d, high_90d, low_90d (new high or low over the window), stale_market (lowest ask at least 1.5x the market price), thin_market (one ask level: lowest = highest).';
comment on column pokewatch.alerts.market_price is 'Market price on the day.';
comment on column pokewatch.alerts.reference_price is 'What it is compared with: the price 1/7/30 days before, the previous high or low, or the lowest ask.';
comment on column pokewatch.alerts.change_pct is 'market_price / reference_price - 1, in percent (stale_market: lowest ask over market, in percent above it).';
comment on column pokewatch.alerts.detail is 'The alert in words.';
comment on column pokewatch.alerts.run_id is 'Nightly run that found it.';

create table pokewatch.alert_follow_through (
    as_of                 date not null,
    kind                  text not null,
    alerts                integer not null,
    mean_move             double precision,
    median_move           double precision,
    gave_back_half_share  double precision,
    days_after            integer not null,
    history_from          date not null,
    history_to            date not null,
    primary key (as_of, kind)
);

comment on table pokewatch.alert_follow_through is
    'What followed each alert kind in the landed history, recomputed by each run: how the market moved in the days after such alerts.';
comment on column pokewatch.alert_follow_through.as_of is 'Run day it was computed on (from history up to that day).';
comment on column pokewatch.alert_follow_through.kind is 'Alert kind (see pokewatch.alerts.kind).';
comment on column pokewatch.alert_follow_through.alerts is 'Past alerts of that kind with days_after days of history after them.';
comment on column pokewatch.alert_follow_through.mean_move is 'Mean market move from the alert day to days_after days later (0.05 = +5 %).';
comment on column pokewatch.alert_follow_through.median_move is 'Median of that move.';
comment on column pokewatch.alert_follow_through.gave_back_half_share is 'Moves, highs and lows: share that gave back at least half of the move within days_after days (the move did not stick). Null for stale and thin markets.';
comment on column pokewatch.alert_follow_through.days_after is 'Days after the alert the follow-through looks at.';
comment on column pokewatch.alert_follow_through.history_from is 'First day of the history it was computed from.';
comment on column pokewatch.alert_follow_through.history_to is 'Last day of that history.';
