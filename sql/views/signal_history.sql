-- signal_history: a card's signals over time, one row per card variant, cost profile, horizon and day (the
-- newest model version that scored it that day), with the previous day's signal so flips are easy to find.
-- requires: catalogue
drop view if exists pokewatch.signal_history cascade;

create view pokewatch.signal_history as

with signals as (

    select * from pokewatch.signals

),

daily as (

    -- one row per card variant, profile, horizon and day: the newest model version that scored it
    select distinct on (product_id, variant, profile, horizon_days, as_of) *
    from signals
    order by product_id, variant, profile, horizon_days, as_of, model_version desc

),

with_previous as (

    select
        daily.*,
        lag(daily.as_of) over card_days as previous_as_of,
        lag(daily.signal) over card_days as previous_signal

    from daily
    window card_days as (
        partition by daily.product_id, daily.variant, daily.profile, daily.horizon_days order by daily.as_of
    )

),

catalogue as (

    select product_id, card_name, card_number, rarity, set_id, set_name, set_code, category_id, language
    from pokewatch.catalogue

),

final as (

    select
        with_previous.product_id,
        with_previous.variant,
        catalogue.card_name,
        catalogue.card_number,
        catalogue.rarity,
        catalogue.set_name,
        with_previous.as_of,
        with_previous.market_price,
        with_previous.fair_price,
        with_previous.fair_low,
        with_previous.fair_high,
        with_previous.deviation_pct,
        with_previous.profile,
        with_previous.horizon_days,
        with_previous.net_return,
        with_previous.signal,
        with_previous.confidence,
        with_previous.reason,
        with_previous.model_version,
        with_previous.previous_as_of,
        with_previous.previous_signal,
        coalesce(with_previous.signal <> with_previous.previous_signal, false) as signal_changed,
        with_previous.run_id

    from with_previous
    left join catalogue on catalogue.product_id = with_previous.product_id

)

select * from final;

comment on view pokewatch.signal_history is
    'A card''s signals over time: one row per card variant, cost profile, horizon and day (newest model version that day), with the previous scored day''s signal. Filter by product_id (fast: primary-key index) and profile.';
comment on column pokewatch.signal_history.product_id is 'TCGplayer product id.';
comment on column pokewatch.signal_history.variant is 'Printing variant.';
comment on column pokewatch.signal_history.card_name is 'Card (product) name.';
comment on column pokewatch.signal_history.card_number is 'Collector number within the set.';
comment on column pokewatch.signal_history.rarity is 'Rarity.';
comment on column pokewatch.signal_history.set_name is 'Set name.';
comment on column pokewatch.signal_history.as_of is 'Day of the signal.';
comment on column pokewatch.signal_history.market_price is 'Market price that day, USD.';
comment on column pokewatch.signal_history.fair_price is 'Model fair price, USD.';
comment on column pokewatch.signal_history.fair_low is 'Lower end of the fair-price band, USD.';
comment on column pokewatch.signal_history.fair_high is 'Upper end of the fair-price band, USD.';
comment on column pokewatch.signal_history.deviation_pct is '(market - fair) / fair * 100; negative = under-priced.';
comment on column pokewatch.signal_history.profile is 'Cost profile the signal was decided for.';
comment on column pokewatch.signal_history.horizon_days is 'Days ahead the fair price forecasts.';
comment on column pokewatch.signal_history.net_return is 'Net return of the profile''s trade at the fair price, after its costs.';
comment on column pokewatch.signal_history.signal is 'BUY, SELL or HOLD.';
comment on column pokewatch.signal_history.confidence is 'Confidence, 0 to 1.';
comment on column pokewatch.signal_history.reason is 'Why this signal, in words.';
comment on column pokewatch.signal_history.model_version is 'Model version that produced it (the newest that scored the card that day).';
comment on column pokewatch.signal_history.previous_as_of is 'The card variant''s previous scored day; null on its first.';
comment on column pokewatch.signal_history.previous_signal is 'Signal on previous_as_of; null on the first day.';
comment on column pokewatch.signal_history.signal_changed is 'True when signal differs from previous_signal (false on the first day).';
comment on column pokewatch.signal_history.run_id is 'PokeWatch run that published it.';
