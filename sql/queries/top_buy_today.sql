-- Top BUY signals today, with card names and sets, best expected gain after costs first.
-- "Today" is the newest day with signals; the cost share is 0.25 of the market price unless the session says
-- otherwise (`set pokewatch.round_trip_cost = '0.15';`). No parameters.

with opportunities as (

    select * from pokewatch.top_opportunities

),

buys as (

    select
        rank_in_signal as buy_rank,
        card_name,
        card_number,
        set_name,
        rarity,
        variant,
        market_price,
        fair_price,
        fair_low,
        fair_high,
        expected_gain_usd,
        expected_gain_pct,
        confidence,
        reason,
        product_id,
        as_of

    from opportunities
    where signal = 'BUY'

)

select * from buys
order by buy_rank, product_id, variant
limit 25;
