"""The tcgcsv client against a real loopback server: every fault ends as specified."""

from __future__ import annotations

import logging
import time

import pytest

from pokewatch.sources.base import SourceError
from pokewatch.sources.tcgcsv import TcgcsvClient

GROUPS = "/tcgplayer/3/groups"
PRICES_604 = "/tcgplayer/3/604/prices"


def test_reads_groups_products_and_prices(fast, small_tcgcsv_mirror):
    with TcgcsvClient(fast, small_tcgcsv_mirror.url) as client:
        assert client.last_updated()
        assert {g["groupId"] for g in client.groups(3)} == {604, 23237, 1728, 1406}
        products = client.products(3, 604)
        prices = client.prices(3, 604)
    assert len(prices) == 107  # the real Base Set body of 2025-10-26
    alakazam = next(p for p in products if p["productId"] == 42346)
    assert {e["name"] for e in alakazam["extendedData"]} == {"Number", "Rarity", "CardType"}


def test_429_retry_after_is_honoured(fast, small_tcgcsv_mirror):
    small_tcgcsv_mirror.fail(GROUPS, "status", status=429, headers={"Retry-After": "1"})
    started = time.perf_counter()
    with TcgcsvClient(fast, small_tcgcsv_mirror.url) as client:
        assert client.groups(3)
    assert time.perf_counter() - started >= 1.0  # waited as told, not the 0.1 s backoff
    assert small_tcgcsv_mirror.hits(GROUPS) == 2


def test_500_then_success_is_retried(fast, small_tcgcsv_mirror, caplog):
    small_tcgcsv_mirror.fail(PRICES_604, "status", times=2, status=500)
    with caplog.at_level(logging.WARNING, logger="pokewatch.sources"):
        with TcgcsvClient(fast, small_tcgcsv_mirror.url) as client:
            assert len(client.prices(3, 604)) == 107
    assert small_tcgcsv_mirror.hits(PRICES_604) == 3
    assert "retrying /tcgplayer/3/604/prices after HTTP 500" in caplog.text


def test_503_always_gives_up_after_the_attempt_cap(fast, small_tcgcsv_mirror):
    small_tcgcsv_mirror.fail(PRICES_604, "status", times=None, status=503)
    with TcgcsvClient(fast, small_tcgcsv_mirror.url) as client, pytest.raises(SourceError) as err:
        client.prices(3, 604)
    assert "HTTP 503" in str(err.value) and "after 3 attempt(s)" in str(err.value)
    assert small_tcgcsv_mirror.hits(PRICES_604) == 3


def test_total_retry_time_is_capped(fast, small_tcgcsv_mirror):
    settings = fast.model_copy(update={"http_max_attempts": 50, "http_max_retry_seconds": 1.5})
    small_tcgcsv_mirror.fail(PRICES_604, "status", times=None, status=503)
    started = time.perf_counter()
    with TcgcsvClient(settings, small_tcgcsv_mirror.url) as client, pytest.raises(SourceError):
        client.prices(3, 604)
    assert time.perf_counter() - started < 3.0
    assert small_tcgcsv_mirror.hits(PRICES_604) < 50


def test_slow_answer_times_out_and_is_retried(fast, small_tcgcsv_mirror):
    small_tcgcsv_mirror.fail(PRICES_604, "slow", seconds=1.5)  # longer than the 1 s timeout, once
    with TcgcsvClient(fast, small_tcgcsv_mirror.url) as client:
        assert len(client.prices(3, 604)) == 107
    assert small_tcgcsv_mirror.hits(PRICES_604) == 2


def test_always_slow_names_host_and_attempts(fast, small_tcgcsv_mirror):
    settings = fast.model_copy(update={"http_timeout_seconds": 0.3, "http_max_attempts": 2})
    small_tcgcsv_mirror.fail(PRICES_604, "slow", times=None, seconds=0.6)
    with TcgcsvClient(settings, small_tcgcsv_mirror.url) as client, pytest.raises(SourceError) as err:
        client.prices(3, 604)
    assert "127.0.0.1 unreachable (ReadTimeout) after 2 attempt(s)" in str(err.value)


def test_connection_reset_is_retried(fast, small_tcgcsv_mirror):
    small_tcgcsv_mirror.fail(PRICES_604, "reset")
    with TcgcsvClient(fast, small_tcgcsv_mirror.url) as client:
        assert len(client.prices(3, 604)) == 107
    assert small_tcgcsv_mirror.hits(PRICES_604) == 2


def test_unreachable_host_names_host_and_attempts(fast):
    with TcgcsvClient(fast, "http://127.0.0.1:9") as client, pytest.raises(SourceError) as err:
        client.groups(3)
    assert "127.0.0.1 unreachable (ConnectError) after 3 attempt(s)" in str(err.value)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("truncate", "malformed JSON from http://127.0.0.1:{port}/tcgplayer/3/604/prices"),
        ("empty", "malformed JSON from http://127.0.0.1:{port}/tcgplayer/3/604/prices (empty body)"),
        ("wrong_shape", "unexpected shape from http://127.0.0.1:{port}/tcgplayer/3/604/prices: no 'results' list"),
    ],
)
def test_bad_bodies_name_the_url_and_are_not_retried(fast, small_tcgcsv_mirror, kind, expected):
    small_tcgcsv_mirror.fail(PRICES_604, kind)
    with TcgcsvClient(fast, small_tcgcsv_mirror.url) as client, pytest.raises(SourceError) as err:
        client.prices(3, 604)
    port = small_tcgcsv_mirror.url.rsplit(":", 1)[1]
    assert expected.format(port=port) in str(err.value)
    assert small_tcgcsv_mirror.hits(PRICES_604) == 1


def test_missing_field_is_named(fast, small_tcgcsv_mirror):
    body = b'{"success": true, "errors": [], "results": [{"productId": 1, "lowPrice": 1.0}]}'
    small_tcgcsv_mirror.fail(PRICES_604, "wrong_shape", body=body)
    with TcgcsvClient(fast, small_tcgcsv_mirror.url) as client, pytest.raises(SourceError) as err:
        client.prices(3, 604)
    assert "/tcgplayer/3/604/prices: item 0 has no field 'subTypeName'" in str(err.value)


@pytest.mark.parametrize(("status", "message"), [(401, "missing or rejected API key for tcgcsv"), (404, "HTTP 404")])
def test_client_errors_are_not_retried(fast, small_tcgcsv_mirror, status, message):
    small_tcgcsv_mirror.fail(PRICES_604, "status", times=None, status=status)
    with TcgcsvClient(fast, small_tcgcsv_mirror.url) as client, pytest.raises(SourceError) as err:
        client.prices(3, 604)
    assert message in str(err.value)
    assert err.value.status == status
    assert small_tcgcsv_mirror.hits(PRICES_604) == 1


def test_redirect_loop_stops(fast, small_tcgcsv_mirror):
    small_tcgcsv_mirror.fail(PRICES_604, "redirect_loop", times=None)
    with TcgcsvClient(fast, small_tcgcsv_mirror.url) as client, pytest.raises(SourceError) as err:
        client.prices(3, 604)
    assert "too many redirects" in str(err.value)
    assert small_tcgcsv_mirror.hits(PRICES_604) == 6  # the first request and 5 redirects, no retries
