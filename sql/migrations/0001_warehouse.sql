-- The warehouse: sets and cards (reference), prices (daily landing), runs, signals.
-- depends:

create schema if not exists pokewatch;

create table pokewatch.sets (
    set_id        bigint primary key,
    name          text not null,
    abbreviation  text,
    series        text,
    release_date  date,
    modified_on   timestamptz,
    updated_at    timestamptz not null default now()
);

create table pokewatch.cards (
    product_id  bigint primary key,
    set_id      bigint,
    name        text,
    clean_name  text,
    number      text,
    rarity      text,
    card_type   text,
    updated_at  timestamptz not null default now()
);
create index cards_set_id_idx on pokewatch.cards (set_id);

create table pokewatch.prices (
    source        text not null,
    product_id    bigint not null,
    variant       text not null,
    as_of         date not null,
    set_id        bigint,
    low           numeric(12, 2),
    mid           numeric(12, 2),
    high          numeric(12, 2),
    market        numeric(12, 2),
    direct_low    numeric(12, 2),
    collected_at  timestamptz not null default now(),
    primary key (source, product_id, variant, as_of)
);
create index prices_as_of_idx on pokewatch.prices (as_of);

-- A (source, day) is usable for training and scoring only once its landing is complete.
create table pokewatch.landings (
    source        text not null,
    as_of         date not null,
    rows          integer not null,
    sets          integer not null,
    last_updated  text,
    landed_at     timestamptz not null default now(),
    primary key (source, as_of)
);

create table pokewatch.runs (
    run_id            uuid primary key,
    flow_run_id       text,
    as_of             date not null,
    status            text not null check (status in ('running', 'succeeded', 'failed', 'skipped')),
    started_at        timestamptz not null default now(),
    finished_at       timestamptz,
    collect_rows      integer,
    collect_seconds   double precision,
    validate_rows     integer,
    validate_seconds  double precision,
    train_rows        integer,
    train_seconds     double precision,
    score_rows        integer,
    score_seconds     double precision,
    publish_rows      integer,
    publish_seconds   double precision,
    model_version     integer,
    decision          text,
    error             text
);
create index runs_as_of_idx on pokewatch.runs (as_of);

create table pokewatch.signals (
    product_id     bigint not null,
    variant        text not null,
    as_of          date not null,
    model_version  integer not null,
    market_price   numeric(12, 2),
    fair_price     numeric(12, 2),
    fair_low       numeric(12, 2),
    fair_high      numeric(12, 2),
    deviation_pct  double precision,
    signal         text not null check (signal in ('BUY', 'SELL', 'HOLD')),
    confidence     double precision not null check (confidence between 0 and 1),
    reason         text not null,
    run_id         uuid not null,
    scored_at      timestamptz not null default now(),
    primary key (product_id, variant, as_of, model_version),
    check (fair_low <= fair_price and fair_price <= fair_high)
);
create index signals_as_of_signal_idx on pokewatch.signals (as_of, signal);
