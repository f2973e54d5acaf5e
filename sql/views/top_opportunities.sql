-- top_opportunities: today's BUY and SELL signals of every cost profile and horizon, ranked by expected gain
-- after that profile's costs:
--   expected_gain_usd = net_return * market_price
-- net_return is stored on the signal by the same rule that decided it (pokewatch/signals.py), so a gain here
-- never contradicts a signal. "Today" = the newest day with signals.
-- requires: catalogue
drop view if exists pokewatch.top_opportunities cascade;

create view pokewatch.top_opportunities as

with signals as (

    select * from pokewatch.signals

),

todays_signals as (

    -- "today" as a scalar subquery, so the (as_of, signal) index finds the day's BUY and SELL rows
    select distinct on (signals.product_id, signals.variant, signals.profile, signals.horizon_days) signals.*
    from signals
    where signals.as_of = (select max(as_of) from pokewatch.signals)
      and signals.signal in ('BUY', 'SELL')
    order by signals.product_id, signals.variant, signals.profile, signals.horizon_days, signals.model_version desc

),

gains as (

    select
        todays_signals.*,
        todays_signals.net_return * todays_signals.market_price::double precision as expected_gain_usd

    from todays_signals

),

catalogue as (

    select product_id, card_name, card_number, rarity, set_id, set_name, set_code, category_id, language
    from pokewatch.catalogue

),

final as (

    select
        rank() over (
            partition by gains.profile, gains.horizon_days order by gains.expected_gain_usd desc
        ) as opportunity_rank,
        rank() over (
            partition by gains.profile, gains.horizon_days, gains.signal order by gains.expected_gain_usd desc
        ) as rank_in_signal,
        gains.profile,
        gains.horizon_days,
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
        round((gains.net_return * 100)::numeric, 2) as expected_gain_pct,
        gains.confidence,
        gains.reason,
        gains.model_version,
        gains.as_of,
        gains.run_id

    from gains
    left join catalogue on catalogue.product_id = gains.product_id

)

select * from final
order by profile, horizon_days, opportunity_rank, product_id, variant;

comment on view pokewatch.top_opportunities is
    'Today''s (newest day''s) BUY and SELL signals per cost profile and horizon, ranked by expected gain after that profile''s costs (net_return stored on the signal x market price).';
comment on column pokewatch.top_opportunities.opportunity_rank is 'Rank by expected_gain_usd within the profile and horizon, BUY and SELL together (1 = best).';
comment on column pokewatch.top_opportunities.rank_in_signal is 'Rank by expected_gain_usd within the profile, horizon and signal.';
comment on column pokewatch.top_opportunities.profile is 'Cost profile the signal was decided for (pokewatch.cost_profiles).';
comment on column pokewatch.top_opportunities.horizon_days is 'Days ahead the fair price forecasts.';
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
comment on column pokewatch.top_opportunities.cost_share is 'The profile''s costs in return points at the fair price (gross return - net return), as stored on the signal.';
comment on column pokewatch.top_opportunities.expected_gain_usd is 'Net return at the fair price after the profile''s costs x market price, USD.';
comment on column pokewatch.top_opportunities.expected_gain_pct is 'Net return at the fair price after the profile''s costs, percent.';
comment on column pokewatch.top_opportunities.confidence is 'Confidence, 0 to 1.';
comment on column pokewatch.top_opportunities.reason is 'Why this signal, in words.';
comment on column pokewatch.top_opportunities.model_version is 'Model version that produced it.';
comment on column pokewatch.top_opportunities.as_of is 'The day (newest day with signals).';
comment on column pokewatch.top_opportunities.run_id is 'PokeWatch run that published it.';
