-- Cardmarket (EUR) prices that pokemontcg.io carries beside TCGplayer's: kept apart from `prices` (USD).
-- depends: 0001_warehouse

create table pokewatch.cardmarket_prices (
    source              text not null default 'pokemontcg',
    card_id             text not null,          -- pokemontcg.io card id, e.g. swsh4-25
    as_of               date not null,
    product_id          bigint,                 -- the TCGplayer product when the card could be mapped
    currency            text not null default 'EUR',
    average_sell        numeric(12, 2),
    low                 numeric(12, 2),
    trend               numeric(12, 2),
    avg1                numeric(12, 2),
    avg7                numeric(12, 2),
    avg30               numeric(12, 2),
    reverse_holo_sell   numeric(12, 2),
    reverse_holo_low    numeric(12, 2),
    reverse_holo_trend  numeric(12, 2),
    updated_on          text,                   -- cardmarket.updatedAt as published (YYYY/MM/DD)
    collected_at        timestamptz not null default now(),
    primary key (source, card_id, as_of)
);
