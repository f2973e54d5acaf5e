"""A source's key never leaves its origin: on a redirect to another origin, X-Api-Key and Authorization are
dropped for every source (httpx itself drops only Authorization)."""

import pytest

from pokewatch.sources.base import HttpSource
from tests.support.mirror import Mirror

BODY = (200, {"Content-Type": "application/json"}, b'{"data": []}')


@pytest.mark.parametrize("header", ["X-Api-Key", "Authorization"])
def test_a_cross_origin_redirect_does_not_carry_the_key(settings, header):
    with Mirror() as home, Mirror() as elsewhere:
        home.route("/cards", (302, {"Location": f"{elsewhere.url}/cards"}, b""))
        home.route("/sets", (302, {"Location": f"{home.url}/sets-moved"}, b""))
        home.route("/sets-moved", BODY)
        elsewhere.route("/cards", BODY)
        with HttpSource(settings, home.url, headers={header: "tcg-FAKE-KEY-0b8e"}) as source:
            assert source.get_json("/cards") == {"data": []}
            assert source.get_json("/sets") == {"data": []}
        sent_home = [h for _, h in home.requests]
        assert len(sent_home) == 3 and all(h.get(header.lower()) == "tcg-FAKE-KEY-0b8e" for h in sent_home)
        assert [p for p, _ in elsewhere.requests] == ["/cards"]
        assert header.lower() not in elsewhere.requests[0][1]
