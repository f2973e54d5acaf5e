-- catalogue: every product PokeWatch knows, named: the live name tcgcsv gave (pokewatch.cards) or else the
-- shipped reference name (pokewatch.product_names), with its set, category and language. The one place names
-- are resolved: every other view reads card names from here.
drop view if exists pokewatch.catalogue cascade;

create view pokewatch.catalogue as

with cards as (

    select product_id, set_id, name, number, rarity from pokewatch.cards

),

names as (

    select product_id, name, name_en, set_code, number, rarity, language from pokewatch.product_names

),

sets as (

    select set_id, name, code, category_id from pokewatch.sets

),

products as (

    select product_id from cards
    union
    select product_id from names

),

final as (

    select
        products.product_id,
        coalesce(cards.name, names.name) as card_name,
        coalesce(names.name_en, cards.name) as card_name_en,
        coalesce(cards.number, names.number) as card_number,
        coalesce(cards.rarity, nullif(names.rarity, 'None')) as rarity,
        cards.set_id,
        sets.name as set_name,
        coalesce(sets.code, names.set_code) as set_code,
        names.set_code as tcgdex_set_code,
        coalesce(sets.category_id, case names.language when 'ja' then 85 when 'en' then 3 end) as category_id,
        coalesce(names.language, case sets.category_id when 85 then 'ja' when 3 then 'en' end) as language,
        coalesce(cards.name, names.name) is not null as named

    from products
    left join cards on cards.product_id = products.product_id
    left join names on names.product_id = products.product_id
    left join sets on sets.set_id = cards.set_id

)

select * from final;

comment on view pokewatch.catalogue is
    'Every known product with its name (live tcgcsv name, else the shipped TCGdex/sealed reference name), number, rarity, set, category and language. Unnamed products have named = false and show as "product #id" in the CLI.';
comment on column pokewatch.catalogue.product_id is 'TCGplayer product id.';
comment on column pokewatch.catalogue.card_name is 'Card or sealed product name (Japanese cards: the Japanese name unless tcgcsv gave an English one).';
comment on column pokewatch.catalogue.card_name_en is 'English name where known (TCGplayer names Japanese products in English too).';
comment on column pokewatch.catalogue.card_number is 'Number within the set: TCGplayer''s "201/165" or TCGdex''s "201".';
comment on column pokewatch.catalogue.rarity is 'Rarity; "Sealed Product" for sealed products.';
comment on column pokewatch.catalogue.set_id is 'TCGplayer group id of the set.';
comment on column pokewatch.catalogue.set_name is 'Set name as TCGplayer shows it, e.g. "SV2a: Pokemon Card 151".';
comment on column pokewatch.catalogue.set_code is 'Set code: TCGplayer''s prefix (e.g. "SV2a"), else TCGdex''s set id.';
comment on column pokewatch.catalogue.tcgdex_set_code is 'TCGdex set id, e.g. "sv03.5", when the reference names the product.';
comment on column pokewatch.catalogue.category_id is 'TCGplayer category: 3 English, 85 Japanese.';
comment on column pokewatch.catalogue.language is 'en or ja.';
comment on column pokewatch.catalogue.named is 'Whether any name is known for the product.';
