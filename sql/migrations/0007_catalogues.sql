-- Two catalogues (TCGplayer category 3, English, and 85, Japanese) and names for every card. A price row, a
-- landing and a set now carry their category; a day lands per source and category. Existing rows are English.
-- depends: 0006_signal_cost

alter table pokewatch.prices add column category_id integer not null default 3;
comment on column pokewatch.prices.category_id is
    'TCGplayer category of the product: 3 = Pokémon (English), 85 = Pokémon Japan (USD prices too).';

alter table pokewatch.landings add column category_id integer not null default 3;
alter table pokewatch.landings drop constraint landings_pkey;
alter table pokewatch.landings add primary key (source, category_id, as_of);
comment on column pokewatch.landings.category_id is 'TCGplayer category landed (3 English, 85 Japanese).';
comment on table pokewatch.landings is
    'Completed landings: a (source, category, day) is here only once all its prices are in pokewatch.prices; training and scoring use landed days only.';

alter table pokewatch.sets add column category_id integer;
alter table pokewatch.sets add column code text;
comment on column pokewatch.sets.category_id is 'TCGplayer category of the set: 3 English, 85 Japanese.';
comment on column pokewatch.sets.code is
    'Set code: the part of the TCGplayer name before the colon, e.g. "SV2a" for "SV2a: Pokemon Card 151".';

-- Product names shipped with PokeWatch (pokewatch/data/reference: TCGdex, MIT licence, and sealed products),
-- loaded by `pokewatch init`. Names tcgcsv's live products give (pokewatch.cards) take precedence.
create table pokewatch.product_names (
    product_id     bigint primary key,
    name           text not null,
    name_en        text,
    set_code       text,
    number         text,
    rarity         text,
    card_category  text,
    language       text not null,
    source         text not null
);
create index product_names_lower_name_idx on pokewatch.product_names (lower(name) text_pattern_ops);
comment on table pokewatch.product_names is
    'Reference names of TCGplayer products shipped with PokeWatch (TCGdex cards database, MIT licence; sealed products from the sealed tracker), loaded on init. Live names in pokewatch.cards win.';
comment on column pokewatch.product_names.product_id is 'TCGplayer product id.';
comment on column pokewatch.product_names.name is 'Card name (Japanese for Japanese cards).';
comment on column pokewatch.product_names.name_en is 'English name, where the source has one.';
comment on column pokewatch.product_names.set_code is 'TCGdex set id, e.g. "sv03.5" (English 151) or "SV2a".';
comment on column pokewatch.product_names.number is 'Number within the set as TCGdex gives it, e.g. "006" or "TG06".';
comment on column pokewatch.product_names.rarity is 'Rarity, e.g. "Special Illustration Rare"; "Sealed Product" for sealed.';
comment on column pokewatch.product_names.card_category is 'Pokemon, Trainer, Energy or Sealed.';
comment on column pokewatch.product_names.language is 'en or ja.';
comment on column pokewatch.product_names.source is 'tcgdex or sealed-tracker.';

alter table pokewatch.runs add column unpriced_series integer;
comment on column pokewatch.runs.unpriced_series is
    'Series landed on the day without a market price ("no price today", normal in the Japanese catalogue): counted, not scored.';

-- A run by hand that collects learns its day from the source: the day is null until then.
alter table pokewatch.runs alter column as_of drop not null;
comment on column pokewatch.runs.as_of is 'Day the run was for (null while a run by hand waits to learn the day its source serves).';
