-- signal_track_record: how past signals did, by kind (live or backtest) x model version x horizon x cost
-- profile x signal x price band ('all' = every band), beside making the profile's trade on every card
-- (always-BUY, or always-SELL for a seller) and always-HOLD on the same days, at the same costs.
drop view if exists pokewatch.signal_track_record cascade;

create view pokewatch.signal_track_record as

with outcomes as (

    select * from pokewatch.signal_outcomes

),

banded as (

    -- each graded signal once in its own price band and once in 'all'
    select kind, model_version, horizon_days, profile, signal, price_band, as_of, net_return, hit, market_move
    from outcomes
    union all
    select kind, model_version, horizon_days, profile, signal, 'all', as_of, net_return, hit, market_move
    from outcomes

),

days as (

    -- every graded signal of a day: what trading everything or holding everything would have done
    select
        kind,
        model_version,
        horizon_days,
        profile,
        as_of,
        count(*) as n,
        sum(trade_return) as trade_all_net_sum,
        count(*) filter (where trade_return > 0) as trade_all_hits,
        count(*) filter (where trade_return <= 0) as hold_all_hits

    from outcomes
    group by kind, model_version, horizon_days, profile, as_of

),

classes as (

    select
        kind,
        model_version,
        horizon_days,
        profile,
        signal,
        price_band,
        count(*) as n,
        count(distinct as_of) as days,
        avg(hit::int)::float8 as hit_rate,
        avg(net_return) as mean_net_return,
        percentile_cont(0.5) within group (order by net_return) as median_net_return,
        avg(market_move) as mean_market_move,
        min(as_of) as first_day,
        max(as_of) as last_day

    from banded
    group by kind, model_version, horizon_days, profile, signal, price_band

),

class_days as (

    select distinct kind, model_version, horizon_days, profile, signal, price_band, as_of
    from banded

),

comparison as (

    select
        class_days.kind,
        class_days.model_version,
        class_days.horizon_days,
        class_days.profile,
        class_days.signal,
        class_days.price_band,
        sum(days.trade_all_net_sum) / sum(days.n) as always_trade_mean_net_return,
        sum(days.trade_all_hits)::float8 / sum(days.n) as always_trade_hit_rate,
        sum(days.hold_all_hits)::float8 / sum(days.n) as always_hold_hit_rate

    from class_days
    join days
        on days.kind = class_days.kind
        and days.model_version = class_days.model_version
        and days.horizon_days = class_days.horizon_days
        and days.profile = class_days.profile
        and days.as_of = class_days.as_of
    group by class_days.kind, class_days.model_version, class_days.horizon_days, class_days.profile,
        class_days.signal, class_days.price_band

),

final as (

    select
        classes.kind,
        classes.model_version,
        classes.horizon_days,
        classes.profile,
        classes.signal,
        classes.price_band,
        classes.n,
        classes.days,
        classes.first_day,
        classes.last_day,
        classes.hit_rate,
        classes.mean_net_return,
        classes.median_net_return,
        classes.mean_market_move,
        comparison.always_trade_mean_net_return,
        comparison.always_trade_hit_rate,
        comparison.always_hold_hit_rate

    from classes
    join comparison
        on comparison.kind = classes.kind
        and comparison.model_version = classes.model_version
        and comparison.horizon_days = classes.horizon_days
        and comparison.profile = classes.profile
        and comparison.signal = classes.signal
        and comparison.price_band = classes.price_band

)

select * from final;

comment on view pokewatch.signal_track_record is
    'How past signals did once their horizon ended (pokewatch.signal_outcomes), per kind x model version x horizon x cost profile x signal x price band, beside making the profile''s trade on every card and always-HOLD on the same days. Returns are shares (0.05 = +5 %), after the profile''s costs.';
comment on column pokewatch.signal_track_record.kind is 'live (published signals) or backtest (walk-forward decisions).';
comment on column pokewatch.signal_track_record.model_version is 'Model version that made the signals (0: no model / the walk-forward''s own fits).';
comment on column pokewatch.signal_track_record.horizon_days is 'Days the signals looked ahead.';
comment on column pokewatch.signal_track_record.profile is 'Cost profile the signals were decided for (legacy N% = a flat cost from before profiles).';
comment on column pokewatch.signal_track_record.signal is 'BUY, SELL or HOLD.';
comment on column pokewatch.signal_track_record.price_band is 'Market price band on the signal day; all = every band together.';
comment on column pokewatch.signal_track_record.n is 'Graded signals.';
comment on column pokewatch.signal_track_record.days is 'Distinct signal days among them.';
comment on column pokewatch.signal_track_record.first_day is 'First signal day.';
comment on column pokewatch.signal_track_record.last_day is 'Last signal day.';
comment on column pokewatch.signal_track_record.hit_rate is 'Share right: BUY/SELL with a positive net return; HOLD where the profile''s trade would not have paid.';
comment on column pokewatch.signal_track_record.mean_net_return is 'Mean net return per BUY/SELL after costs; null for HOLD (no trade, return 0).';
comment on column pokewatch.signal_track_record.median_net_return is 'Median net return per BUY/SELL after costs; null for HOLD.';
comment on column pokewatch.signal_track_record.mean_market_move is 'Mean market move over the horizon of these signals, before costs.';
comment on column pokewatch.signal_track_record.always_trade_mean_net_return is 'Mean net return of making the profile''s trade (BUY, or SELL for a seller) on every graded card on the same days, same costs: the bar a signal must clear.';
comment on column pokewatch.signal_track_record.always_trade_hit_rate is 'Share of every graded card on the same days where the profile''s trade paid.';
comment on column pokewatch.signal_track_record.always_hold_hit_rate is 'Share of every graded card on the same days where the profile''s trade would not have paid (holding was right).';
