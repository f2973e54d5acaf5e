-- The drift watch: per run, how far each model feature, the signal mix and the price level moved from their
-- reference (the training window; the last 7 runs for the signal mix).
-- depends: 0011_alerts

create table pokewatch.drift (
    as_of        date not null,
    measure      text not null check (measure in ('feature', 'signal_mix', 'price_level')),
    name         text not null,
    statistic    text not null,
    value        double precision not null,
    threshold    double precision not null,
    drifted      boolean not null,
    detail       text not null,
    run_id       uuid,
    measured_at  timestamptz not null default now(),
    primary key (as_of, measure, name)
);

comment on table pokewatch.drift is
    'One row per run day and measure: the population stability index (PSI) of a model feature, the signal mix or the price level against its reference. Past the threshold the nightly run ends in the Drifted state naming what moved.';
comment on column pokewatch.drift.as_of is 'Day scored.';
comment on column pokewatch.drift.measure is 'feature (a model input vs the training window), signal_mix (BUY/SELL/HOLD shares vs the last 7 runs) or price_level (log market prices vs the training window).';
comment on column pokewatch.drift.name is 'Feature name, or signal_mix / price_level.';
comment on column pokewatch.drift.statistic is 'psi: population stability index over reference deciles (categories for the signal mix).';
comment on column pokewatch.drift.value is 'The statistic (PSI: < 0.1 stable, 0.1-0.25 moderate, > 0.25 a shift).';
comment on column pokewatch.drift.threshold is 'The threshold in force (POKEWATCH_DRIFT_PSI_THRESHOLD).';
comment on column pokewatch.drift.drifted is 'value > threshold.';
comment on column pokewatch.drift.detail is 'The reference and today in words (e.g. the median then and now).';
comment on column pokewatch.drift.run_id is 'Nightly run that measured it.';
comment on column pokewatch.drift.measured_at is 'When it was measured.';
