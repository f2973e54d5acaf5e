-- latest_signals: one row per card variant, its newest signal (latest day, then newest model version),
-- with the card's name, number, rarity and set. Reads base tables only (no other view).
drop view if exists pokewatch.latest_signals cascade;

create view pokewatch.latest_signals as

with signals as (

    select * from pokewatch.signals

),

newest as (

    -- distinct on keeps the first row per card variant in this order: latest day, newest model version
    select distinct on (product_id, variant) *
    from signals
    order by product_id, variant, as_of desc, model_version desc

),

cards as (

    select product_id, set_id, name, number, rarity from pokewatch.cards

),

sets as (

    select set_id, name, abbreviation from pokewatch.sets

),

final as (

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
        newest.scored_at,
        cards.set_id,
        sets.abbreviation as set_abbreviation

    from newest
    left join cards on cards.product_id = newest.product_id
    left join sets on sets.set_id = cards.set_id

)

select * from final;

comment on view pokewatch.latest_signals is
    'One row per card variant: its newest signal (latest day, then newest model version) with card and set names. The first place to look.';
comment on column pokewatch.latest_signals.product_id is 'TCGplayer product id.';
comment on column pokewatch.latest_signals.variant is 'Printing variant, e.g. "Holofoil".';
comment on column pokewatch.latest_signals.card_name is 'Card (product) name; null if its reference data has not arrived.';
comment on column pokewatch.latest_signals.card_number is 'Collector number within the set.';
comment on column pokewatch.latest_signals.rarity is 'Rarity.';
comment on column pokewatch.latest_signals.set_name is 'Set name.';
comment on column pokewatch.latest_signals.as_of is 'Day of this newest signal (older than today if the card was not priced today).';
comment on column pokewatch.latest_signals.market_price is 'Market price on as_of, USD.';
comment on column pokewatch.latest_signals.fair_price is 'Model fair price, USD.';
comment on column pokewatch.latest_signals.fair_low is 'Lower end of the fair-price band, USD.';
comment on column pokewatch.latest_signals.fair_high is 'Upper end of the fair-price band, USD.';
comment on column pokewatch.latest_signals.deviation_pct is '(market - fair) / fair * 100; negative = under-priced.';
comment on column pokewatch.latest_signals.signal is 'BUY, SELL or HOLD.';
comment on column pokewatch.latest_signals.confidence is 'Confidence, 0 to 1.';
comment on column pokewatch.latest_signals.reason is 'Why this signal, in words.';
comment on column pokewatch.latest_signals.model_version is 'Model version that produced it.';
comment on column pokewatch.latest_signals.run_id is 'PokeWatch run that published it.';
comment on column pokewatch.latest_signals.scored_at is 'When it was written.';
comment on column pokewatch.latest_signals.set_id is 'TCGplayer group id of the set.';
comment on column pokewatch.latest_signals.set_abbreviation is 'Short set code, e.g. "SSP".';
