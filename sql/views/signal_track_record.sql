-- signal_track_record: how past signals did, by kind (live or backtest) x model version x horizon x cost x
-- signal x price band ('all' = every band), beside always-BUY and always-HOLD on the same days.
drop view if exists pokewatch.signal_track_record cascade;

create view pokewatch.signal_track_record as

with outcomes as (

    select * from pokewatch.signal_outcomes

),

banded as (

    -- each graded signal once in its own price band and once in 'all'
    select kind, model_version, horizon_days, cost_share, signal, price_band, as_of, net_return, hit, market_move
    from outcomes
    union all
    select kind, model_version, horizon_days, cost_share, signal, 'all', as_of, net_return, hit, market_move
    from outcomes

),

days as (

    -- every graded signal of a day: what buying everything or holding everything would have done
    select
        kind,
        model_version,
        horizon_days,
        cost_share,
        as_of,
        count(*) as n,
        sum(market_move - cost_share) as buy_all_net_sum,
        count(*) filter (where market_move > cost_share) as buy_all_hits,
        count(*) filter (where abs(market_move) <= cost_share) as hold_all_hits

    from outcomes
    group by kind, model_version, horizon_days, cost_share, as_of

),

classes as (

    select
        kind,
        model_version,
        horizon_days,
        cost_share,
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
    group by kind, model_version, horizon_days, cost_share, signal, price_band

),

class_days as (

    select distinct kind, model_version, horizon_days, cost_share, signal, price_band, as_of
    from banded

),

comparison as (

    select
        class_days.kind,
        class_days.model_version,
        class_days.horizon_days,
        class_days.cost_share,
        class_days.signal,
        class_days.price_band,
        sum(days.buy_all_net_sum) / sum(days.n) as always_buy_mean_net_return,
        sum(days.buy_all_hits)::float8 / sum(days.n) as always_buy_hit_rate,
        sum(days.hold_all_hits)::float8 / sum(days.n) as always_hold_hit_rate

    from class_days
    join days
        on days.kind = class_days.kind
        and days.model_version = class_days.model_version
        and days.horizon_days = class_days.horizon_days
        and days.cost_share = class_days.cost_share
        and days.as_of = class_days.as_of
    group by class_days.kind, class_days.model_version, class_days.horizon_days, class_days.cost_share,
        class_days.signal, class_days.price_band

),

final as (

    select
        classes.kind,
        classes.model_version,
        classes.horizon_days,
        classes.cost_share,
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
        comparison.always_buy_mean_net_return,
        comparison.always_buy_hit_rate,
        comparison.always_hold_hit_rate

    from classes
    join comparison
        on comparison.kind = classes.kind
        and comparison.model_version = classes.model_version
        and comparison.horizon_days = classes.horizon_days
        and comparison.cost_share = classes.cost_share
        and comparison.signal = classes.signal
        and comparison.price_band = classes.price_band

)

select * from final;

comment on view pokewatch.signal_track_record is
    'How past signals did once their horizon ended (pokewatch.signal_outcomes), per kind x model version x horizon x cost x signal x price band, beside always-BUY and always-HOLD on the same days. Returns are shares (0.05 = +5 %), after the signal''s costs.';
comment on column pokewatch.signal_track_record.kind is 'live (published signals) or backtest (walk-forward decisions).';
comment on column pokewatch.signal_track_record.model_version is 'Model version that made the signals (0: no model / the walk-forward''s own fits).';
comment on column pokewatch.signal_track_record.horizon_days is 'Days the signals looked ahead.';
comment on column pokewatch.signal_track_record.cost_share is 'Round-trip costs the signals had to clear (the cost profile), share of the price.';
comment on column pokewatch.signal_track_record.signal is 'BUY, SELL or HOLD.';
comment on column pokewatch.signal_track_record.price_band is 'Market price band on the signal day; all = every band together.';
comment on column pokewatch.signal_track_record.n is 'Graded signals.';
comment on column pokewatch.signal_track_record.days is 'Distinct signal days among them.';
comment on column pokewatch.signal_track_record.first_day is 'First signal day.';
comment on column pokewatch.signal_track_record.last_day is 'Last signal day.';
comment on column pokewatch.signal_track_record.hit_rate is 'Share right: BUY/SELL with a positive net return; HOLD where no trade would have cleared the costs.';
comment on column pokewatch.signal_track_record.mean_net_return is 'Mean net return per BUY/SELL after costs; null for HOLD (no trade, return 0).';
comment on column pokewatch.signal_track_record.median_net_return is 'Median net return per BUY/SELL after costs; null for HOLD.';
comment on column pokewatch.signal_track_record.mean_market_move is 'Mean market move over the horizon of these signals, before costs.';
comment on column pokewatch.signal_track_record.always_buy_mean_net_return is 'Mean net return of buying every graded card on the same days, same costs: the bar a BUY must clear.';
comment on column pokewatch.signal_track_record.always_buy_hit_rate is 'Share of every graded card on the same days whose move cleared the costs.';
comment on column pokewatch.signal_track_record.always_hold_hit_rate is 'Share of every graded card on the same days whose move stayed within the costs (holding was right).';
