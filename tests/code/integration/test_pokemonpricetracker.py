"""PokemonPriceTracker v2 over loopback with its recorded answers: auth, paging, quota stop, key never shown."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pandas as pd
import pytest

from pokewatch.collect import collect
from pokewatch.sources.base import SourceError
from pokewatch.sources.pokemonpricetracker import PokemonPriceTrackerClient, QuotaExhausted, prices_frame

DAY = dt.date(2026, 8, 8)
KEY = "pptk-test-0123456789abcdef"  # not a real key: the loopback server only checks it is sent
FIXTURES = ("v2_cards_search_gengar_vmax_includeEbay", "v2_cards_search_mew_ex_japanese_includeEbay")


@pytest.fixture
def recordings(shared_dir):
    folder = shared_dir / "fixtures/pokemonpricetracker"
    out = []
    for name in FIXTURES:
        body = json.loads((folder / f"{name}.json").read_text())
        headers = json.loads((folder / f"{name}.headers.json").read_text())["headers"]
        out.append((body, headers))
    return out


def serve(mirror, recordings, remaining: list[int] | None = None):
    """/api/v2/cards: the recorded answers as pages (offset 0 → Gengar, 1 → Mew), with their quota headers.

    Derived: the two recordings answered different searches; here they are served as two pages of one query,
    so `metadata.offset`/`hasMore` are rewritten and the daily-remaining header may be overridden.
    """

    def cards(query, headers):
        if headers.get("authorization") != f"Bearer {KEY}":
            return 401, {"Content-Type": "application/json"}, b'{"error": "Unauthorized"}'
        offset = int(query.get("offset", ["0"])[0])
        if offset >= len(recordings):
            return 200, {"Content-Type": "application/json"}, b'{"data": [], "metadata": {"hasMore": false}}'
        body, recorded = recordings[offset]
        body = {**body, "metadata": {**body["metadata"], "offset": offset, "hasMore": offset + 1 < len(recordings)}}
        keep = ("x-ratelimit-daily-remaining", "x-api-calls-consumed", "x-ratelimit-daily-limit")
        head = {k: v for k, v in recorded.items() if k in keep}
        if remaining:
            head["x-ratelimit-daily-remaining"] = str(remaining[min(offset, len(remaining) - 1)])
        return 200, {"Content-Type": "application/json", **head}, json.dumps(body).encode()

    mirror.route("/api/v2/cards", cards)


def test_pages_through_cards_with_the_bearer_key(fast, mirror, recordings):
    serve(mirror, recordings)
    with PokemonPriceTrackerClient(fast, KEY, f"{mirror.url}/api/v2") as client:
        cards = client.cards_in_set(2906)
        assert client.remaining == 86 and client.cost == 2 and client.consumed == 4
    assert [c["tcgPlayerId"] for c in cards] == ["253266", "567746"]
    assert all(h["authorization"] == f"Bearer {KEY}" for _, h in mirror.requests)
    frame = prices_frame(cards)
    gengar = frame.iloc[0].to_dict()
    assert (gengar["product_id"], gengar["variant"], gengar["set_id"], gengar["market"], gengar["low"]) == (
        253266, "Holofoil", 2906, 1042.89, 649.0,
    )
    assert pd.isna(frame.iloc[1]["low"])  # Mew's recorded lowPrice 0 is no price


def test_collect_lands_the_cards_once(fast, conn, mirror, recordings):
    serve(mirror, recordings)
    first = collect(fast, DAY, "pokemonpricetracker", f"{mirror.url}/api/v2", api_key=KEY, product_ids=[253266])
    assert (first.rows, first.inserted) == (2, 2) and "left today" in first.note
    again = collect(fast, DAY, "pokemonpricetracker", f"{mirror.url}/api/v2", api_key=KEY, product_ids=[253266])
    assert (again.inserted, again.updated) == (0, 0)
    row = conn.execute(
        "select market from pokewatch.prices where source = 'pokemonpricetracker' and product_id = 253266"
    ).fetchone()
    assert float(row[0]) == 1042.89
    assert conn.execute("select name from pokewatch.sets where set_id = 2906").fetchone() == ("SWSH08: Fusion Strike",)


def test_stops_before_the_quota_runs_out_and_lands_nothing(fast, conn, mirror, recordings):
    serve(mirror, recordings, remaining=[1])  # after the first page 1 call is left; a page costs 2
    with pytest.raises(QuotaExhausted) as err:
        collect(fast, DAY, "pokemonpricetracker", f"{mirror.url}/api/v2", api_key=KEY, set_ids=[2906])
    assert "stopped before the daily quota runs out (1 call(s) left, the next request costs about 2" in str(err.value)
    assert len(mirror.requests) == 1
    assert conn.execute("select count(*) from pokewatch.prices").fetchone()[0] == 0


@pytest.mark.parametrize("status", [401, 403])
def test_rejected_key_is_named_but_never_shown(fast, mirror, recordings, caplog, status):
    serve(mirror, recordings)
    mirror.fail("/api/v2/cards", "status", times=None, status=status)
    with caplog.at_level(logging.DEBUG):
        with PokemonPriceTrackerClient(fast, KEY, f"{mirror.url}/api/v2") as client, pytest.raises(SourceError) as err:
            client.cards_by_product(253266)
    assert f"missing or rejected API key for pokemonpricetracker (HTTP {status}" in str(err.value)
    assert KEY not in str(err.value) and KEY not in caplog.text
    assert len(mirror.requests) == 1


def test_missing_key_fails_before_any_request(fast, mirror):
    with pytest.raises(SourceError, match="missing or rejected API key for pokemonpricetracker: set POKEMON_PRICE_API_KEY"):
        PokemonPriceTrackerClient(fast, None, f"{mirror.url}/api/v2")
    assert mirror.requests == []


def test_retries_are_logged_without_the_key(fast, mirror, recordings, caplog):
    serve(mirror, recordings)
    mirror.fail("/api/v2/cards", "status", status=429, headers={"Retry-After": "0"})
    mirror.fail("/api/v2/cards", "reset")
    with caplog.at_level(logging.DEBUG):
        with PokemonPriceTrackerClient(fast, KEY, f"{mirror.url}/api/v2") as client:
            assert len(client.cards_by_product(253266)) == 2
    assert "retrying /cards after HTTP 429" in caplog.text and KEY not in caplog.text


def test_wrong_shape_names_url_and_field(fast, mirror, recordings):
    serve(mirror, recordings)
    mirror.fail("/api/v2/cards", "wrong_shape", body=b'{"data": [{"name": "Gengar VMAX"}]}')
    with PokemonPriceTrackerClient(fast, KEY, f"{mirror.url}/api/v2") as client, pytest.raises(SourceError) as err:
        client.cards_by_product(253266)
    assert "/api/v2/cards?tcgPlayerId=253266" in str(err.value) and "no field 'tcgPlayerId'" in str(err.value)
