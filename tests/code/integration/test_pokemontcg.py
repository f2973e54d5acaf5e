"""pokemontcg.io v2 over loopback with its recorded answers: paging, variants, cardmarket, unmapped cards reported."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from pokewatch.collect import collect
from pokewatch.sources.base import SourceError
from pokewatch.sources.pokemontcg import PokemonTcgClient

DAY = dt.date(2025, 10, 26)
KEY = "ptcg-test-key-fedcba9876543210"  # not a real key


@pytest.fixture
def recorded(shared_dir):
    folder = shared_dir / "fixtures/pokemontcg_io"
    return lambda name: json.loads((folder / f"{name}.json").read_text())


def pages(mirror, by_page: dict[int, dict]):
    def cards(query, headers):
        body = by_page.get(int(query.get("page", ["1"])[0]))
        if body is None:
            return 404, {"Content-Type": "application/json"}, b'{"error": {"message": "not found", "code": 404}}'
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    mirror.route("/v2/cards", cards)


def test_one_page_stops_at_total_count(fast, mirror, recorded):
    pages(mirror, {1: recorded("v2_cards_q_generations_basic_page1")})
    with PokemonTcgClient(fast, None, f"{mirror.url}/v2") as client:
        cards = client.cards("set.id:g1")
    assert len(cards) == 59 and len(mirror.requests) == 1  # 1 × 250 ≥ totalCount 59
    assert "x-api-key" not in mirror.requests[0][1]  # optional: no key, no header


def test_pages_until_an_empty_page(fast, mirror, recorded):
    # Derived pairing: the recorded pageSize=10 first page, then the recorded empty page (count 0).
    pages(mirror, {1: recorded("v2_cards_page1_pageSize10"), 2: recorded("v2_cards_q_generations_basic_page2_empty")})
    with PokemonTcgClient(fast, KEY, f"{mirror.url}/v2") as client:
        cards = client.paged("/cards", page_size=10)
    assert len(cards) == 10 and len(mirror.requests) == 2
    assert mirror.requests[0][1]["x-api-key"] == KEY


def test_cards_are_mapped_through_the_catalogue_and_unmapped_ones_reported(fast, conn, mirror, small_tcgcsv_mirror, recorded):
    collect(fast, DAY, base_url=small_tcgcsv_mirror.url)  # Base Set (604) products with card numbers
    # The recorded 250-card page (totalCount 13438), then the recorded empty page ends the paging.
    pages(mirror, {1: recorded("v2_cards_page1_pageSize250_2021-06"), 2: recorded("v2_cards_q_generations_basic_page2_empty")})
    result = collect(fast, None, "pokemontcg", f"{mirror.url}/v2")  # the day its prices carry: 2021/06/09
    assert result.as_of == dt.date(2021, 6, 9)
    assert result.unmapped == 248 and "2 of 250 cards tied to TCGplayer products; 248 unmapped" in result.note
    landed = conn.execute(
        "select product_id, variant, market from pokewatch.prices where source = 'pokemontcg' order by product_id"
    ).fetchall()
    assert [(p, v) for p, v, _ in landed] == [(42346, "Holofoil"), (42360, "Holofoil")]  # base1-1 Alakazam, base1-2
    assert conn.execute("select series, release_date from pokewatch.sets where set_id = 604").fetchone() == (
        "Base",
        dt.date(1999, 1, 9),
    )
    assert conn.execute("select as_of, rows from pokewatch.landings where source = 'pokemontcg'").fetchone() == (
        dt.date(2021, 6, 9), 2)
    with pytest.raises(SourceError, match="pokemontcg has not published 2025-10-26 yet: it serves 2021-06-09 .*nothing landed"):
        collect(fast, DAY, "pokemontcg", f"{mirror.url}/v2")


def test_cardmarket_eur_prices_land_even_for_unmapped_cards(fast, conn, mirror, recorded):
    card = recorded("docs_example_card_swsh4-25_with_cardmarket")  # the docs sample is the card object itself
    pages(mirror, {1: {"data": [card], "page": 1, "pageSize": 250, "count": 1, "totalCount": 1}})  # derived envelope
    result = collect(fast, None, "pokemontcg", f"{mirror.url}/v2", set_ids=["swsh4"])
    assert result.unmapped == 1 and result.rows == 0
    row = conn.execute(
        "select card_id, product_id, currency, trend, avg30 from pokewatch.cardmarket_prices"
    ).fetchone()
    assert row[:3] == ("swsh4-25", None, "EUR") and float(row[3]) == 10.29 and float(row[4]) == 11.31


def test_recorded_404_is_not_retried(fast, mirror, recorded):
    body = json.dumps(recorded("v2_card_zzzz_404")).encode()
    mirror.fail("/v2/cards", "status", times=None, status=404, body=body)
    with PokemonTcgClient(fast, KEY, f"{mirror.url}/v2") as client, pytest.raises(SourceError, match="HTTP 404"):
        client.cards()
    assert len(mirror.requests) == 1


def test_rejected_key_is_named_never_shown(fast, mirror, caplog):
    mirror.fail("/v2/cards", "status", times=None, status=403)
    with caplog.at_level(logging.DEBUG):
        with PokemonTcgClient(fast, KEY, f"{mirror.url}/v2") as client, pytest.raises(SourceError) as err:
            client.cards()
    assert "missing or rejected API key for pokemontcg" in str(err.value)
    assert KEY not in str(err.value) and KEY not in caplog.text


def test_wrong_shape_names_the_field(fast, mirror):
    mirror.route("/v2/cards", b'{"data": [], "page": 1}')
    with PokemonTcgClient(fast, None, f"{mirror.url}/v2") as client, pytest.raises(SourceError) as err:
        client.cards()
    assert "/v2/cards?page=1: no integer field 'count'" in str(err.value)
