-- latest_signals: one row per card variant, its newest signal (latest day, then newest model version).
create or replace view pokewatch.latest_signals as

with ranked as (

    select
        s.*,
        row_number() over (
            partition by s.product_id, s.variant
            order by s.as_of desc, s.model_version desc
        ) as recency

    from pokewatch.signals as s

),

newest as (

    select * from ranked where recency = 1

)

select
    newest.product_id,
    newest.variant,
    cards.name as card_name,
    cards.number as card_number,
    cards.rarity,
    sets.name as set_name,
    newest.as_of,
    newest.market_price,
    newest.fair_price,
    newest.fair_low,
    newest.fair_high,
    newest.deviation_pct,
    newest.signal,
    newest.confidence,
    newest.reason,
    newest.model_version,
    newest.run_id,
    newest.scored_at

from newest
left join pokewatch.cards as cards on cards.product_id = newest.product_id
left join pokewatch.sets as sets on sets.set_id = cards.set_id;
