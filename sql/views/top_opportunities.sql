-- top_opportunities: today's BUY and SELL signals ranked by expected gain after costs.
--   expected_gain_usd = |fair_price - market_price| - cost_share * market_price
-- cost_share is the cost each signal's decision cleared, stored on the signal: the view never assumes its own.
-- "Today" = the newest day with signals.
-- requires: catalogue
drop view if exists pokewatch.top_opportunities cascade;

create view pokewatch.top_opportunities as

with signals as (

    select * from pokewatch.signals

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
        abs(todays_signals.fair_price - todays_signals.market_price)::double precision
            - todays_signals.cost_share * todays_signals.market_price::double precision as expected_gain_usd

    from todays_signals

),

catalogue as (

    select product_id, card_name, card_number, rarity, set_id, set_name, set_code, category_id, language
    from pokewatch.catalogue

),

final as (

    select
        rank() over (order by gains.expected_gain_usd desc) as opportunity_rank,
        rank() over (partition by gains.signal order by gains.expected_gain_usd desc) as rank_in_signal,
        gains.product_id,
        gains.variant,
        catalogue.card_name,
        catalogue.card_number,
        catalogue.rarity,
        catalogue.set_name,
        gains.signal,
        gains.market_price,
        gains.fair_price,
        gains.fair_low,
        gains.fair_high,
        gains.deviation_pct,
        gains.cost_share,
        round(gains.expected_gain_usd::numeric, 2) as expected_gain_usd,
        round((gains.expected_gain_usd / nullif(gains.market_price, 0) * 100)::numeric, 2) as expected_gain_pct,
        gains.confidence,
        gains.reason,
        gains.model_version,
        gains.as_of,
        gains.run_id

    from gains
    left join catalogue on catalogue.product_id = gains.product_id

)

select * from final
order by opportunity_rank, product_id, variant;

comment on view pokewatch.top_opportunities is
    'Today''s (newest day''s) BUY and SELL signals ranked by expected gain after costs: |fair - market| - cost_share * market, with the cost share each signal''s decision used.';
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
comment on column pokewatch.top_opportunities.cost_share is 'Costs the signal cleared (fees + shipping) as a share of the market price, as stored on the signal.';
comment on column pokewatch.top_opportunities.expected_gain_usd is '|fair - market| - cost_share * market, USD; negative = the move does not pay for its costs.';
comment on column pokewatch.top_opportunities.expected_gain_pct is 'expected_gain_usd as a percent of the market price.';
comment on column pokewatch.top_opportunities.confidence is 'Confidence, 0 to 1.';
comment on column pokewatch.top_opportunities.reason is 'Why this signal, in words.';
comment on column pokewatch.top_opportunities.model_version is 'Model version that produced it.';
comment on column pokewatch.top_opportunities.as_of is 'The day (newest day with signals).';
comment on column pokewatch.top_opportunities.run_id is 'PokeWatch run that published it.';
