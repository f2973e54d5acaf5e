-- card_history(product_id): a card's price and signal history, every landed day of every variant, with the
-- model's fair price, band and signal that day for the shown cost profile and horizon (pokewatch.signal_choice;
-- null on days it was not scored). tcgcsv's 999.00 "nobody offers
-- it" placeholder shows as null. Find ids with pokewatch.find_cards('…'). sql/queries/card_history.sql calls it.
create or replace function pokewatch.card_history(product bigint)
returns table (
    as_of date, card_name text, card_number text, set_name text, variant text, market_price numeric,
    low_price numeric, high_price numeric, fair_price numeric, fair_low numeric, fair_high numeric,
    deviation_pct double precision, signal text, signal_changed boolean, confidence double precision,
    reason text, model_version integer
)
language sql stable as $$

with prices as (

    select p.as_of, p.product_id, p.variant, p.low, p.high, p.market
    from pokewatch.prices p
    where p.product_id = product and p.source = 'tcgcsv'

),

signals as (

    select h.as_of, h.product_id, h.variant, h.fair_price, h.fair_low, h.fair_high, h.deviation_pct, h.signal,
           h.confidence, h.reason, h.model_version, h.signal_changed
    from pokewatch.signal_history h
    join pokewatch.signal_choice c on c.profile = h.profile and c.horizon_days = h.horizon_days
    where h.product_id = product

),

final as (

    select
        prices.as_of,
        catalogue.card_name,
        catalogue.card_number,
        catalogue.set_name,
        prices.variant,
        prices.market as market_price,
        nullif(prices.low, 999.00) as low_price,
        nullif(prices.high, 999.00) as high_price,
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
    left join pokewatch.catalogue catalogue on catalogue.product_id = prices.product_id

)

select * from final
order by variant, as_of

$$;

comment on function pokewatch.card_history(bigint) is
    'A card''s price and signal history: every landed tcgcsv day of every variant with the fair price, band and signal of that day for the shown cost profile and horizon (pokewatch.signal_choice; null when not scored); 999.00 placeholders as null.';
