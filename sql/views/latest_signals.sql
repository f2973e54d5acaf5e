-- latest_signals: one row per card variant, its newest signal (latest day, then newest model version) for the
-- default cost profile and horizon (signal_choice: settings, or the session's own), with the card's name,
-- number, rarity and set (from the catalogue view).
-- requires: catalogue, signal_choice
drop view if exists pokewatch.latest_signals cascade;

create view pokewatch.latest_signals as

with signals as (

    select signals.*
    from pokewatch.signals
    join pokewatch.signal_choice using (profile, horizon_days)

),

newest as (

    -- distinct on keeps the first row per card variant in this order: latest day, newest model version
    select distinct on (product_id, variant) *
    from signals
    order by product_id, variant, as_of desc, model_version desc

),

newest_day as (

    select max(as_of) as as_of from signals

),

catalogue as (

    select product_id, card_name, card_number, rarity, set_id, set_name, set_code, category_id, language
    from pokewatch.catalogue

),

final as (

    select
        newest.product_id,
        newest.variant,
        catalogue.card_name,
        catalogue.card_number,
        catalogue.rarity,
        catalogue.set_name,
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
        catalogue.set_id,
        catalogue.set_code,
        catalogue.category_id,
        catalogue.language,
        newest.as_of = newest_day.as_of as is_current,
        newest.profile,
        newest.horizon_days,
        newest.net_return,
        newest.cost_share,
        newest.return_rank_pct

    from newest
    cross join newest_day
    left join catalogue on catalogue.product_id = newest.product_id

)

select * from final;

comment on view pokewatch.latest_signals is
    'One row per card variant: its newest signal (latest day, then newest model version) for the default cost profile and horizon (pokewatch.signal_choice), with card and set names. The first place to look.';
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
comment on column pokewatch.latest_signals.net_return is 'Net return of the profile''s trade if the price reaches fair_price, after the profile''s costs (0.05 = +5 %).';
comment on column pokewatch.latest_signals.signal is 'BUY, SELL or HOLD.';
comment on column pokewatch.latest_signals.confidence is 'Confidence, 0 to 1.';
comment on column pokewatch.latest_signals.reason is 'Why this signal, in words.';
comment on column pokewatch.latest_signals.model_version is 'Model version that produced it.';
comment on column pokewatch.latest_signals.profile is 'Cost profile the signal was decided for (pokewatch.cost_profiles).';
comment on column pokewatch.latest_signals.horizon_days is 'Days ahead the fair price forecasts.';
comment on column pokewatch.latest_signals.cost_share is 'The profile''s costs in return points at the fair price (gross return - net_return).';
comment on column pokewatch.latest_signals.return_rank_pct is 'Percentile (0..1] of expected return among the day''s scored series: 1 = the largest expected rise.';
comment on column pokewatch.latest_signals.run_id is 'PokeWatch run that published it.';
comment on column pokewatch.latest_signals.scored_at is 'When it was written.';
comment on column pokewatch.latest_signals.set_id is 'TCGplayer group id of the set.';
comment on column pokewatch.latest_signals.set_code is 'Set code, e.g. "SV2a" (TCGplayer''s prefix) or TCGdex''s set id.';
comment on column pokewatch.latest_signals.category_id is 'TCGplayer category: 3 English, 85 Japanese.';
comment on column pokewatch.latest_signals.language is 'en or ja.';
comment on column pokewatch.latest_signals.is_current is 'True when this signal is from the newest scored day; false means the series was not scored that day (e.g. no market price today) and this is an older signal.';
