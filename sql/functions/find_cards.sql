-- find_cards(query): the products a person means, the way the seed system named cards and the way people type
-- them. Replaces the seed's `list_cards` / `predict` look-ups (docs/sql.md).
--   seed ids:   'sv2a_151_charizard_ex___201_165'  → set code sv2a, name words, number 201/165
--   plain text: 'charizard ex 201/165', 'pikachu', 'リザードン'  → every word in the name; a number, if given
-- A seed id matches on set code and number (its name words only rank: Japanese cards may be named in Japanese);
-- plain text needs every word in the card's name (English or Japanese) and the number when one is given.
create or replace function pokewatch.find_cards(query text)
returns table (
    product_id bigint, card_name text, card_name_en text, card_number text, set_name text, set_code text,
    language text, category_id integer, score integer
)
language plpgsql stable as $$
declare
    q text := lower(btrim(coalesce(query, '')));
    seed boolean := position('___' in q) > 0;
    words text[];
    set_token text;
    number text;
begin
    if q = '' then
        return;
    end if;
    if seed then
        words := string_to_array(split_part(q, '___', 1), '_');
        set_token := words[1];
        words := words[2:];
        number := replace(split_part(q, '___', 2), '_', '/');
    else
        words := regexp_split_to_array(q, '\s+');
        number := (select w from unnest(words) w where w ~ '^[a-z]*[0-9]+(/[0-9]+)?$' and w ~ '[0-9]' limit 1);
        words := array(select w from unnest(words) w where w is distinct from number);
    end if;
    number := nullif(ltrim(split_part(number, '/', 1), '0'), '');
    return query
    with candidates as (
        select c.*,
               lower(coalesce(c.card_name, '') || ' ' || coalesce(c.card_name_en, '')) as haystack,
               nullif(ltrim(split_part(regexp_replace(coalesce(c.card_number, ''), '^[^0-9]*', ''), '/', 1), '0'), '')
                   as number_only
        from pokewatch.catalogue c
        where c.named
    ),
    scored as (
        select candidates.*,
               (select count(*) from unnest(words) w where w <> '' and candidates.haystack like '%' || w || '%')::int
                   as hits
        from candidates
        where (set_token is null or lower(candidates.set_code) = set_token
               or lower(candidates.tcgdex_set_code) = set_token)
          and (number is null or candidates.number_only = number
               or lower(candidates.card_number) = lower(split_part(q, '___', 2)))
    )
    select s.product_id, s.card_name, s.card_name_en, s.card_number, s.set_name, s.set_code, s.language,
           s.category_id, s.hits
    from scored s
    where (seed and number is not null)
       or s.hits = coalesce(array_length(array(select w from unnest(words) w where w <> ''), 1), 0)
    order by s.hits desc, s.card_name, s.product_id
    limit 200;
end $$;

comment on function pokewatch.find_cards(text) is
    'Products matching a card as the seed system named it (set code + name + number, e.g. sv2a_151_charizard_ex___201_165) or as typed ("charizard ex 201/165"); best match first.';
