-- Top BUY signals today for the shown cost profile and horizon (pokewatch.signal_choice), with card names
-- and sets, best expected gain after that profile's costs first. "Today" is the newest day with signals.
-- No parameters.

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
        cost_share,
        confidence,
        reason,
        product_id,
        as_of,
        profile,
        horizon_days

    from opportunities
    join pokewatch.signal_choice using (profile, horizon_days)
    where signal = 'BUY'

)

select * from buys
order by buy_rank, product_id, variant
limit 25;
