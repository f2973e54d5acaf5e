-- Cards whose signal flipped today: today's signal differs from the card variant's previous scored day, for the
-- shown cost profile and horizon (pokewatch.signal_choice). "Today" is the newest day with signals; for each
-- card the newest model version of each day counts.
-- Written against pokewatch.signals (not signal_history) so only two days are read: fast on a long history.
-- No parameters.

with todays as (

    select distinct on (s.product_id, s.variant)
        s.product_id, s.variant, s.as_of, s.signal, s.market_price, s.fair_price, s.deviation_pct,
        s.confidence, s.reason, s.model_version, s.profile, s.horizon_days
    from pokewatch.signals as s
    join pokewatch.signal_choice as c on c.profile = s.profile and c.horizon_days = s.horizon_days
    where s.as_of = (select max(as_of) from pokewatch.signals)  -- today, found through the as_of index
    order by s.product_id, s.variant, s.model_version desc

),

previous as (

    -- each card variant's newest signal before today (a primary-key index lookup per card)
    select todays.product_id, todays.variant, before.as_of, before.signal
    from todays
    cross join lateral (
        select p.as_of, p.signal
        from pokewatch.signals as p
        where p.product_id = todays.product_id
          and p.variant = todays.variant
          and p.profile = todays.profile
          and p.horizon_days = todays.horizon_days
          and p.as_of < todays.as_of
        order by p.as_of desc, p.model_version desc
        limit 1
    ) as before

),

flipped as (

    select
        todays.*,
        previous.as_of as previous_as_of,
        previous.signal as previous_signal

    from todays
    inner join previous using (product_id, variant)
    where todays.signal <> previous.signal

)

select
    flipped.previous_signal || ' -> ' || flipped.signal as flip,
    cards.name as card_name,
    cards.number as card_number,
    sets.name as set_name,
    flipped.variant,
    flipped.market_price,
    flipped.fair_price,
    flipped.deviation_pct,
    flipped.confidence,
    flipped.reason,
    flipped.previous_signal,
    flipped.signal,
    flipped.previous_as_of,
    flipped.as_of,
    flipped.model_version,
    flipped.profile,
    flipped.horizon_days,
    flipped.product_id

from flipped
left join pokewatch.cards as cards on cards.product_id = flipped.product_id
left join pokewatch.sets as sets on sets.set_id = cards.set_id
order by flip, abs(flipped.deviation_pct) desc nulls last, flipped.product_id, flipped.variant;
