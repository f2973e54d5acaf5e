-- drift_summary: one row per run day: how many measures drifted past the threshold, which, and the largest.
drop view if exists pokewatch.drift_summary cascade;

create view pokewatch.drift_summary as

with drift as (

    select * from pokewatch.drift

),

final as (

    select
        as_of,
        count(*) as measures,
        count(*) filter (where drifted) as drifted,
        string_agg(name, ', ' order by value desc, name) filter (where drifted) as drifted_names,
        max(value) as max_psi,
        max(value) filter (where measure = 'feature') as max_feature_psi,
        max(value) filter (where measure = 'signal_mix') as signal_mix_psi,
        max(value) filter (where measure = 'price_level') as price_level_psi,
        max(threshold) as threshold

    from drift
    group by as_of

)

select * from final;

comment on view pokewatch.drift_summary is
    'The drift watch by run day (from pokewatch.drift): measures taken, how many drifted past the threshold and which.';
comment on column pokewatch.drift_summary.as_of is 'Day scored.';
comment on column pokewatch.drift_summary.measures is 'Measures taken: every model feature, the price level, the signal mix.';
comment on column pokewatch.drift_summary.drifted is 'Measures past the threshold.';
comment on column pokewatch.drift_summary.drifted_names is 'Their names, largest PSI first; null when none.';
comment on column pokewatch.drift_summary.max_psi is 'Largest PSI of the day.';
comment on column pokewatch.drift_summary.max_feature_psi is 'Largest PSI among model features.';
comment on column pokewatch.drift_summary.signal_mix_psi is 'PSI of the BUY/SELL/HOLD mix against the last 7 runs; null without earlier runs.';
comment on column pokewatch.drift_summary.price_level_psi is 'PSI of log market prices against the training window.';
comment on column pokewatch.drift_summary.threshold is 'Threshold in force (POKEWATCH_DRIFT_PSI_THRESHOLD).';
