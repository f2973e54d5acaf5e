-- The signal mix over the last 30 days with signals: BUY / SELL / HOLD counts and shares per day, cost profile
-- and horizon.
-- No parameters (change 30 for another window).

with days as (

    select max(as_of) as last_day from pokewatch.signals

),

mix as (

    select signal_mix_daily.*
    from pokewatch.signal_mix_daily
    cross join days
    where signal_mix_daily.as_of > days.last_day - 30

)

select as_of, signals, buy_count, sell_count, hold_count, buy_pct, sell_pct, hold_pct, mean_confidence,
       model_version, profile, horizon_days
from mix
order by as_of, profile, horizon_days;
