-- Rows a warning expectation of the daily_prices suite rejected (pokewatch.validation): moved here out of
-- pokewatch.prices in the same transaction, so training and scoring never see them.
-- depends: 0001_warehouse

create table pokewatch.quarantine (
    source          text not null,
    as_of           date not null,
    product_id      bigint not null,
    variant         text not null,
    expectation     text not null,            -- the first failed expectation (meta.name in the suite)
    expectations    text[] not null,          -- every warning expectation the row failed
    run_id          uuid,
    row             jsonb not null,           -- the pokewatch.prices row as it was
    quarantined_at  timestamptz not null default now(),
    primary key (source, as_of, product_id, variant)
);
create index quarantine_expectation_idx on pokewatch.quarantine (as_of, expectation);
