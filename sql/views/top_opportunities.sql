-- top_opportunities: today's BUY and SELL signals ranked by expected gain after costs.
--   expected_gain_usd = |fair_price - market_price| - round_trip_cost * market_price
-- round_trip_cost (fees + shipping, share of the price) defaults to 0.25, as the signal rule does; a session
-- may override it: `set pokewatch.round_trip_cost = '0.15';`. "Today" = the newest day with signals.
drop view if exists pokewatch.top_opportunities cascade;

create view pokewatch.top_opportunities as

with signals as (

    select * from pokewatch.signals

),

costs as (

    select coalesce(nullif(current_setting('pokewatch.round_trip_cost', true), '')::double precision, 0.25)
        as round_trip_cost

),

todays_signals as (

    -- "today" as a scalar subquery, so the (as_of, signal) index finds the day's BUY and SELL rows
    select distinct on (signals.product_id, signals.variant) signals.*
    from signals
    where signals.as_of = (select max(as_of) from pokewatch.signals)
      and signals.signal in ('BUY', 'SELL')
    order by signals.product_id, signals.variant, signals.model_version desc

),

gains as (

    select
        todays_signals.*,
        costs.round_trip_cost,
        abs(todays_signals.fair_price - todays_signals.market_price)::double precision
            - costs.round_trip_cost * todays_signals.market_price::double precision as expected_gain_usd

    from todays_signals
    cross join costs

),

cards as (

    select product_id, set_id, name, number, rarity from pokewatch.cards

),

sets as (

    select set_id, name from pokewatch.sets

),

final as (

    select
        rank() over (order by gains.expected_gain_usd desc) as opportunity_rank,
        rank() over (partition by gains.signal order by gains.expected_gain_usd desc) as rank_in_signal,
        gains.product_id,
        gains.variant,
        cards.name as card_name,
        cards.number as card_number,
        cards.rarity,
        sets.name as set_name,
        gains.signal,
        gains.market_price,
        gains.fair_price,
        gains.fair_low,
        gains.fair_high,
        gains.deviation_pct,
        gains.round_trip_cost,
        round(gains.expected_gain_usd::numeric, 2) as expected_gain_usd,
        round((gains.expected_gain_usd / nullif(gains.market_price, 0) * 100)::numeric, 2) as expected_gain_pct,
        gains.confidence,
        gains.reason,
        gains.model_version,
        gains.as_of,
        gains.run_id

    from gains
    left join cards on cards.product_id = gains.product_id
    left join sets on sets.set_id = cards.set_id

)

select * from final
order by opportunity_rank, product_id, variant;

comment on view pokewatch.top_opportunities is
    'Today''s (newest day''s) BUY and SELL signals ranked by expected gain after costs: |fair - market| - round_trip_cost * market, with round_trip_cost 0.25 unless the session sets pokewatch.round_trip_cost.';
comment on column pokewatch.top_opportunities.opportunity_rank is 'Rank by expected_gain_usd over BUY and SELL together (1 = best).';
comment on column pokewatch.top_opportunities.rank_in_signal is 'Rank by expected_gain_usd within BUY or within SELL.';
comment on column pokewatch.top_opportunities.product_id is 'TCGplayer product id.';
comment on column pokewatch.top_opportunities.variant is 'Printing variant.';
comment on column pokewatch.top_opportunities.card_name is 'Card (product) name.';
comment on column pokewatch.top_opportunities.card_number is 'Collector number within the set.';
comment on column pokewatch.top_opportunities.rarity is 'Rarity.';
comment on column pokewatch.top_opportunities.set_name is 'Set name.';
comment on column pokewatch.top_opportunities.signal is 'BUY or SELL.';
comment on column pokewatch.top_opportunities.market_price is 'Market price today, USD.';
comment on column pokewatch.top_opportunities.fair_price is 'Model fair price, USD.';
comment on column pokewatch.top_opportunities.fair_low is 'Lower end of the fair-price band, USD.';
comment on column pokewatch.top_opportunities.fair_high is 'Upper end of the fair-price band, USD.';
comment on column pokewatch.top_opportunities.deviation_pct is '(market - fair) / fair * 100.';
comment on column pokewatch.top_opportunities.round_trip_cost is 'Cost share used (fees + shipping as a share of the market price): 0.25 unless overridden.';
comment on column pokewatch.top_opportunities.expected_gain_usd is '|fair - market| - round_trip_cost * market, USD; negative = the move does not pay for its costs.';
comment on column pokewatch.top_opportunities.expected_gain_pct is 'expected_gain_usd as a percent of the market price.';
comment on column pokewatch.top_opportunities.confidence is 'Confidence, 0 to 1.';
comment on column pokewatch.top_opportunities.reason is 'Why this signal, in words.';
comment on column pokewatch.top_opportunities.model_version is 'Model version that produced it.';
comment on column pokewatch.top_opportunities.as_of is 'The day (newest day with signals).';
comment on column pokewatch.top_opportunities.run_id is 'PokeWatch run that published it.';
