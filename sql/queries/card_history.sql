-- A card's price and signal history: every landed day of every variant, with the model's fair price, band
-- and signal that day (null on days it was not scored).
-- Parameter: %(product_id)s, the TCGplayer product id (psycopg style; in psql write :product_id after
-- `\set product_id 12345`, in Metabase {{product_id}}). Find ids in pokewatch.cards by name: a prefix
-- search on lower(name) (LIKE with a trailing wildcard) uses the cards_lower_name_idx index.

with prices as (

    select as_of, product_id, variant, low, mid, high, market
    from pokewatch.prices
    where product_id = %(product_id)s and source = 'tcgcsv'

),

signals as (

    select as_of, product_id, variant, fair_price, fair_low, fair_high, deviation_pct, signal, confidence,
           reason, model_version, signal_changed
    from pokewatch.signal_history
    where product_id = %(product_id)s

),

cards as (

    select product_id, name, number, set_id from pokewatch.cards where product_id = %(product_id)s

),

final as (

    select
        prices.as_of,
        cards.name as card_name,
        cards.number as card_number,
        sets.name as set_name,
        prices.variant,
        prices.market as market_price,
        prices.low as low_price,
        prices.high as high_price,
        signals.fair_price,
        signals.fair_low,
        signals.fair_high,
        signals.deviation_pct,
        signals.signal,
        signals.signal_changed,
        signals.confidence,
        signals.reason,
        signals.model_version

    from prices
    left join signals
        on signals.product_id = prices.product_id
        and signals.variant = prices.variant
        and signals.as_of = prices.as_of
    left join cards on cards.product_id = prices.product_id
    left join pokewatch.sets as sets on sets.set_id = cards.set_id

)

select * from final
order by variant, as_of;
