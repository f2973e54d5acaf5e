"""What every source hands to landing, and the HTTP behaviour they share (timeouts, retries, clear errors)."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
from tenacity import (
    RetryCallState,
    retry,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential_jitter,
)

from pokewatch.settings import Settings

# The landing schema: one row per (product_id, variant) for a day. Prices in dollars; None = no price.
PRICE_COLUMNS = ["product_id", "variant", "set_id", "low", "mid", "high", "market", "direct_low"]
NUMERIC_COLUMNS = ["low", "mid", "high", "market", "direct_low"]
# tcgcsv lists an item nobody offers at 999.0 in low/mid/high: a placeholder, not a price.
PLACEHOLDER_PRICE = 999.0


class SourceError(RuntimeError):
    """A source failed in a way a person can act on; the message names the source and what went wrong."""


@dataclass
class DayLanding:
    """One source's prices for one day, ready to land, plus the reference data that came with them."""

    source: str
    as_of: Any  # datetime.date
    prices: pd.DataFrame
    sets: pd.DataFrame = field(default_factory=pd.DataFrame)
    cards: pd.DataFrame = field(default_factory=pd.DataFrame)
    last_updated: str | None = None


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code == 429 or exc.response.status_code >= 500
    return isinstance(exc, httpx.TransportError)


def _wait(settings: Settings):
    backoff = wait_exponential_jitter(initial=0.5, max=30, jitter=0.5)

    def wait(state: RetryCallState) -> float:
        # A 429 says how long to wait: honour Retry-After (seconds) when it is there.
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code == 429:
            after = exc.response.headers.get("retry-after", "")
            if after.strip().isdigit():
                return min(float(after), settings.http_max_retry_seconds)
        return backoff(state)

    return wait


class HttpSource:
    """Shared HTTP plumbing: one httpx client, bounded retries with backoff, bodies kept for replay."""

    name = "http"

    def __init__(self, settings: Settings, base_url: str, headers: dict[str, str] | None = None):
        self.settings = settings
        self.base_url = base_url.rstrip("/")
        self.client = httpx.Client(
            base_url=self.base_url,
            headers={"User-Agent": "pokewatch/0.1 (+nightly price collector)", **(headers or {})},
            timeout=settings.http_timeout_seconds,
            follow_redirects=True,
            max_redirects=5,
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def get(self, path: str, params: dict | None = None) -> httpx.Response:
        """GET with retries on 429/5xx/timeouts/resets; 4xx other than 429 fail at once."""
        attempts = {"n": 0}

        @retry(
            retry=retry_if_exception(_retryable),
            stop=stop_after_attempt(self.settings.http_max_attempts)
            | stop_after_delay(self.settings.http_max_retry_seconds),
            wait=_wait(self.settings),
            reraise=True,
        )
        def once() -> httpx.Response:
            attempts["n"] += 1
            response = self.client.get(path, params=params)
            response.raise_for_status()
            return response

        try:
            return once()
        except httpx.HTTPStatusError as exc:
            code = exc.response.status_code
            if code in (401, 403):
                raise SourceError(f"missing or rejected API key for {self.name} (HTTP {code} from {path})") from None
            raise SourceError(
                f"{self.name}: HTTP {code} from {exc.request.url} after {attempts['n']} attempt(s)"
            ) from None
        except httpx.TooManyRedirects:
            raise SourceError(f"{self.name}: too many redirects from {self.base_url}{path}") from None
        except httpx.TransportError as exc:
            raise SourceError(
                f"{self.name}: {httpx.URL(self.base_url).host} unreachable ({type(exc).__name__}) "
                f"after {attempts['n']} attempt(s) for {path}"
            ) from None

    def get_json(self, path: str, params: dict | None = None) -> Any:
        response = self.get(path, params=params)
        try:
            return response.json()
        except ValueError:
            raise SourceError(
                f"{self.name}: malformed JSON from {response.request.url} ({len(response.content)} bytes)"
            ) from None


def keep_raw(settings: Settings, source: str, as_of, name: str, payload: Any) -> Path:
    """Keep a response body, gzipped, under HOME/raw/<source>/<date>/ so a day can be replayed or audited."""
    folder = settings.home_dir / "raw" / source / str(as_of)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json.gz"
    tmp = path.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8") as fh:
        json.dump(payload, fh)
    tmp.replace(path)  # never leave half a body behind
    return path


def read_raw(path: Path) -> Any:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def require_fields(url: str, items: list, fields: tuple[str, ...], source: str) -> None:
    """Fail with the URL and the field when a body does not have the shape we rely on."""
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise SourceError(f"{source}: unexpected shape from {url}: item {i} is {type(item).__name__}, not an object")
        missing = [f for f in fields if f not in item]
        if missing:
            raise SourceError(f"{source}: unexpected shape from {url}: item {i} has no field {missing[0]!r}")
