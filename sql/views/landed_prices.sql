-- landed_prices: the prices training, scoring and analysts may read: only (source, category, day)s whose landing
-- completed (pokewatch.landings). A day half-written by a failed landing is never seen. The one reader of prices.
drop view if exists pokewatch.landed_prices cascade;

create view pokewatch.landed_prices as

with prices as (

    select * from pokewatch.prices

),

landings as (

    select source, category_id, as_of from pokewatch.landings

),

final as (

    select
        prices.source,
        prices.category_id,
        prices.as_of,
        prices.product_id,
        prices.variant,
        prices.set_id,
        prices.low,
        prices.mid,
        prices.high,
        prices.market,
        prices.direct_low

    from prices
    join landings
        on landings.source = prices.source
        and landings.category_id = prices.category_id
        and landings.as_of = prices.as_of

)

select * from final;

comment on view pokewatch.landed_prices is
    'Prices of completely landed days only (a day is landed once pokewatch.landings has its row): what training and scoring read.';
comment on column pokewatch.landed_prices.source is 'Where the price came from, e.g. "tcgcsv".';
comment on column pokewatch.landed_prices.category_id is 'TCGplayer category: 3 English, 85 Japanese.';
comment on column pokewatch.landed_prices.as_of is 'Day the price is for.';
comment on column pokewatch.landed_prices.product_id is 'TCGplayer product id.';
comment on column pokewatch.landed_prices.variant is 'Printing variant, e.g. "Holofoil".';
comment on column pokewatch.landed_prices.set_id is 'Set (TCGplayer group id).';
comment on column pokewatch.landed_prices.low is 'Lowest listing, USD (999.00 is a placeholder, not a price).';
comment on column pokewatch.landed_prices.mid is 'Mid listing, USD.';
comment on column pokewatch.landed_prices.high is 'Highest listing, USD.';
comment on column pokewatch.landed_prices.market is 'TCGplayer market price, USD; null = no recent sales.';
comment on column pokewatch.landed_prices.direct_low is 'Lowest TCGplayer Direct listing (shipping included), USD.';
