-- Graded outcomes: every signal whose horizon has ended, with the price it met and its net return after its own
-- costs; live signals (graded by each nightly run) and walk-forward ones (`pokewatch track-record --rebuild`).
-- Signals now carry their horizon; runs record the new stages and any warning (drift).
-- depends: 0009_abandoned_runs

alter table pokewatch.signals add column horizon_days integer check (horizon_days is null or horizon_days > 0);
comment on column pokewatch.signals.horizon_days is
    'Days ahead the fair price forecasts (the signal''s horizon); null on rows published before horizons were stored.';

create table pokewatch.signal_outcomes (
    kind            text not null check (kind in ('live', 'backtest')),
    product_id      bigint not null,
    variant         text not null,
    as_of           date not null,
    model_version   integer not null,
    horizon_days    integer not null check (horizon_days > 0),
    cost_share      double precision not null check (cost_share >= 0),
    signal          text not null check (signal in ('BUY', 'SELL', 'HOLD')),
    price_band      text not null,
    market_price    numeric(12, 2) not null,
    fair_price      numeric(12, 2),
    end_day         date not null,
    realised_day    date not null,
    realised_price  numeric(12, 2) not null,
    market_move     double precision not null,
    net_return      double precision,
    hit             boolean not null,
    graded_at       timestamptz not null default now(),
    primary key (kind, product_id, variant, as_of, model_version, horizon_days, cost_share),
    check (realised_day > as_of and realised_day <= end_day)
);
create index signal_outcomes_class_idx on pokewatch.signal_outcomes (kind, model_version, horizon_days, signal);
create index signal_outcomes_as_of_idx on pokewatch.signal_outcomes (as_of);

comment on table pokewatch.signal_outcomes is
    'Every graded signal: the price it met when its horizon ended and its net return after its own costs. Live rows are graded by each nightly run once the end day has landed; backtest rows come from the walk-forward (pokewatch track-record --rebuild).';
comment on column pokewatch.signal_outcomes.kind is 'live (a published signal) or backtest (a walk-forward decision, model trained only on earlier targets).';
comment on column pokewatch.signal_outcomes.product_id is 'TCGplayer product id.';
comment on column pokewatch.signal_outcomes.variant is 'Printing (Normal, Holofoil, ...).';
comment on column pokewatch.signal_outcomes.as_of is 'Day the signal was made for.';
comment on column pokewatch.signal_outcomes.model_version is 'Registered model version (0: no model, the last price; backtest rows: 0, the walk-forward''s own fits).';
comment on column pokewatch.signal_outcomes.horizon_days is 'Days the signal looked ahead.';
comment on column pokewatch.signal_outcomes.cost_share is 'Round-trip costs the signal had to clear (its cost profile), share of the price.';
comment on column pokewatch.signal_outcomes.signal is 'BUY, SELL or HOLD.';
comment on column pokewatch.signal_outcomes.price_band is 'Market price band on the signal day, e.g. $5-$20.';
comment on column pokewatch.signal_outcomes.market_price is 'Market price on the signal day.';
comment on column pokewatch.signal_outcomes.fair_price is 'Fair price (the forecast) the signal published.';
comment on column pokewatch.signal_outcomes.end_day is 'as_of + horizon_days: the day the signal is judged on.';
comment on column pokewatch.signal_outcomes.realised_day is 'Day of the price it was judged by: the last landed price after as_of and on or before end_day (never later).';
comment on column pokewatch.signal_outcomes.realised_price is 'Market price on realised_day.';
comment on column pokewatch.signal_outcomes.market_move is 'realised_price / market_price - 1.';
comment on column pokewatch.signal_outcomes.net_return is 'BUY: market_move - cost_share; SELL: -market_move - cost_share (the move avoided); HOLD: null (no trade).';
comment on column pokewatch.signal_outcomes.hit is 'BUY/SELL: net_return > 0. HOLD: |market_move| <= cost_share (no trade would have cleared the costs).';
comment on column pokewatch.signal_outcomes.graded_at is 'When it was graded.';

alter table pokewatch.runs
    add column grade_rows integer,
    add column grade_seconds double precision,
    add column alerts_rows integer,
    add column alerts_seconds double precision,
    add column drift_rows integer,
    add column drift_seconds double precision,
    add column warning text;
comment on column pokewatch.runs.grade_rows is 'Signals graded by this run (their horizon ended on a landed day).';
comment on column pokewatch.runs.grade_seconds is 'Seconds grading took.';
comment on column pokewatch.runs.alerts_rows is 'Alerts (movers, new highs/lows, stale and thin markets) found for the day.';
comment on column pokewatch.runs.alerts_seconds is 'Seconds the alerts took, follow-through included.';
comment on column pokewatch.runs.drift_rows is 'Drift measures taken (features, signal mix, price level).';
comment on column pokewatch.runs.drift_seconds is 'Seconds the drift watch took.';
comment on column pokewatch.runs.warning is 'What the run warns about although it succeeded, e.g. the features that drifted past the threshold.';
