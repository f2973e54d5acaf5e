-- signal_mix_daily: how many BUY, SELL and HOLD signals each day, per cost profile and horizon (per card
-- variant: the newest model version that scored it that day).
drop view if exists pokewatch.signal_mix_daily cascade;

create view pokewatch.signal_mix_daily as

with signals as (

    select * from pokewatch.signals

),

daily as (

    select distinct on (product_id, variant, profile, horizon_days, as_of)
        as_of, profile, horizon_days, model_version, signal, confidence
    from signals
    order by product_id, variant, profile, horizon_days, as_of, model_version desc

),

counted as (

    select
        as_of,
        profile,
        horizon_days,
        count(*) as signals,
        count(*) filter (where signal = 'BUY') as buy_count,
        count(*) filter (where signal = 'SELL') as sell_count,
        count(*) filter (where signal = 'HOLD') as hold_count,
        avg(confidence) as mean_confidence,
        max(model_version) as model_version

    from daily
    group by as_of, profile, horizon_days

),

final as (

    select
        as_of,
        signals,
        buy_count,
        sell_count,
        hold_count,
        round(buy_count * 100.0 / signals, 2) as buy_pct,
        round(sell_count * 100.0 / signals, 2) as sell_pct,
        round(hold_count * 100.0 / signals, 2) as hold_pct,
        mean_confidence,
        model_version,
        profile,
        horizon_days

    from counted

)

select * from final;

comment on view pokewatch.signal_mix_daily is
    'Signal counts per day, cost profile and horizon: how many card variants were BUY, SELL or HOLD (newest model version per card that day).';
comment on column pokewatch.signal_mix_daily.as_of is 'Day.';
comment on column pokewatch.signal_mix_daily.profile is 'Cost profile the signals were decided for.';
comment on column pokewatch.signal_mix_daily.horizon_days is 'Days ahead the signals looked.';
comment on column pokewatch.signal_mix_daily.signals is 'Card variants with a signal that day.';
comment on column pokewatch.signal_mix_daily.buy_count is 'BUY signals.';
comment on column pokewatch.signal_mix_daily.sell_count is 'SELL signals.';
comment on column pokewatch.signal_mix_daily.hold_count is 'HOLD signals.';
comment on column pokewatch.signal_mix_daily.buy_pct is 'BUY share of the day''s signals, percent.';
comment on column pokewatch.signal_mix_daily.sell_pct is 'SELL share, percent.';
comment on column pokewatch.signal_mix_daily.hold_pct is 'HOLD share, percent.';
comment on column pokewatch.signal_mix_daily.mean_confidence is 'Mean confidence of the day''s signals.';
comment on column pokewatch.signal_mix_daily.model_version is 'Newest model version that scored that day.';
