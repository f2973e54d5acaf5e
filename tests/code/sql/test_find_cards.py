"""pokewatch.find_cards: a card found the way the seed system named it and the way people type it (shipped names)."""

from __future__ import annotations


def found(conn, query: str) -> list[tuple]:
    return conn.execute("select product_id, card_name, set_code, language, category_id from pokewatch.find_cards(%s)",
                        (query,)).fetchall()


def test_a_seed_id_finds_the_japanese_card_by_set_code_and_number(conn):
    # the seed named Mew ex of Shiny Treasure ex (Japanese, TCGplayer 567746) sv4a_shiny_treasure_ex_mew_ex___347_190
    rows = found(conn, "sv4a_shiny_treasure_ex_mew_ex___347_190")
    assert rows == [(567746, "ミュウex", "SV4a", "ja", 85)]


def test_a_seed_id_finds_a_live_card_whose_set_only_tcgcsv_names(conn):
    """SV2a has no shipped names: the card tcgcsv lists in set 23599 ("SV2a: Pokemon Card 151") is found."""
    conn.execute("insert into pokewatch.cards (product_id, set_id, name, number) values "
                 "(999001, 23599, 'Charizard ex - 201/165', '201/165'), (999002, 23599, 'Mew ex', '205/165')")
    assert [r[:4] for r in found(conn, "sv2a_151_charizard_ex___201_165")] == [
        (999001, "Charizard ex - 201/165", "SV2a", "ja")]


def test_plain_text_needs_every_word_and_the_number_when_given(conn):
    charizards = found(conn, "リザードンex")
    assert len(charizards) >= 3 and all("リザードンex" in r[1] for r in charizards)
    pikachu = found(conn, "Pikachu")
    assert pikachu and all("pikachu" in r[1].lower() for r in pikachu)
    assert [r[0] for r in found(conn, "リザードンex 066")] == [567020]
    assert found(conn, "no such card anywhere") == [] and found(conn, "  ") == [] and found(conn, None) == []
