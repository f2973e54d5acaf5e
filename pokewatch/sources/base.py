"""What every source hands to landing, and the HTTP behaviour they share (timeouts, retries, clear errors)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import time
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

log = logging.getLogger("pokewatch.sources")


class SourceError(RuntimeError):
    """A source failed in a way a person can act on; the message names the source and what went wrong."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status  # the HTTP status when the failure was an HTTP answer


class NotPublishedYet(SourceError):
    """The source serves an earlier day than the one asked for: try again later (nothing landed)."""


class WrongDay(SourceError):
    """The source serves a later day than the one asked for: a live source cannot give a past day."""


def check_day(source: str, asked, served, stamp: str):
    """The day to land is the source's own (`served`); asking for another is refused in one line naming it."""
    if asked is None or asked == served:
        return served
    if asked > served:
        raise NotPublishedYet(f"{source} has not published {asked} yet: it serves {served} ({stamp}); nothing landed")
    raise WrongDay(f"{source} serves {served} ({stamp}), not {asked}: nothing landed"
                   + (f"; land a past day from tcgcsv's archive: pokewatch backfill --from {asked} --to {asked}"
                      if source == "tcgcsv" else ""))


def common_day(stamps) -> dt.date | None:
    """The day most of a source's price stamps name ("2021/06/09" or an ISO time, read in UTC)."""
    days: dict[dt.date, int] = {}
    for stamp in stamps:
        if not isinstance(stamp, str) or not stamp.strip():
            continue
        text = stamp.strip().replace("/", "-").replace("Z", "+00:00")
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            continue
        day = (moment.astimezone(dt.UTC) if moment.tzinfo else moment).date()
        days[day] = days.get(day, 0) + 1
    return max(days, key=lambda d: (days[d], d)) if days else None


@dataclass
class DayLanding:
    """One source's prices for one day, ready to land, plus the reference data that came with them."""

    source: str
    as_of: Any  # datetime.date
    prices: pd.DataFrame
    sets: pd.DataFrame = field(default_factory=pd.DataFrame)
    cards: pd.DataFrame = field(default_factory=pd.DataFrame)
    last_updated: str | None = None
    # True when the source has published nothing new since the last landing: there is nothing to land.
    unchanged: bool = False
    note: str = ""  # what a person should know about this fetch (quota left, unmapped cards …)


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code == 429 or exc.response.status_code >= 500
    return isinstance(exc, httpx.TransportError)


def backoff_seconds(settings: Settings) -> tuple[float, float]:
    """First wait and longest wait between attempts, scaled to the total retry budget.

    Production (120 s budget) waits 0.5 s, 1 s, 2 s … up to 30 s; a test with a 5 s budget waits 0.1 s, 0.2 s ….
    """
    budget = max(settings.http_max_retry_seconds, 0.0)
    return min(0.5, budget / 50), min(30.0, max(budget / 4, 0.01))


def _wait(settings: Settings):
    initial, longest = backoff_seconds(settings)
    backoff = wait_exponential_jitter(multiplier=initial, max=longest, jitter=initial)

    def wait(state: RetryCallState) -> float:
        # A 429 says how long to wait: honour Retry-After (seconds) when it is there.
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code == 429:
            after = exc.response.headers.get("retry-after", "").strip()
            try:
                return min(max(float(after), 0.0), settings.http_max_retry_seconds)
            except ValueError:  # an HTTP date or nothing: fall back to our own backoff
                pass
        return backoff(state)

    return wait


class HttpSource:
    """Shared HTTP plumbing: one httpx client, bounded retries with backoff, bodies kept for replay."""

    name = "http"

    def __init__(self, settings: Settings, base_url: str, headers: dict[str, str] | None = None):
        self.settings = settings
        self.base_url = base_url.rstrip("/")
        # Keyed headers (X-Api-Key, Authorization) go to the source's own origin only: httpx drops Authorization
        # on a cross-origin redirect but forwards any other header, so every key is dropped here.
        self._keys = [k for k in (headers or {}) if k.lower() != "user-agent"]
        self._origin = httpx.URL(self.base_url)
        self.client = httpx.Client(
            base_url=self.base_url,
            event_hooks={"request": [self._keys_stay_home]},
            headers={"User-Agent": "pokewatch/0.1 (+nightly price collector)", **(headers or {})},
            timeout=settings.http_timeout_seconds,
            follow_redirects=True,
            max_redirects=5,
            # Polite: never more connections to one host than the configured concurrency.
            limits=httpx.Limits(max_connections=max(1, settings.http_concurrency), max_keepalive_connections=4),
        )

    def _keys_stay_home(self, request: httpx.Request) -> None:
        here = (request.url.scheme, request.url.host, request.url.port)
        if here != (self._origin.scheme, self._origin.host, self._origin.port):
            for key in self._keys:
                request.headers.pop(key, None)

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
            before_sleep=lambda state: log.warning(
                "%s: retrying %s after %s (attempt %d of %d)",
                self.name,
                path,
                _describe(state.outcome.exception()),
                state.attempt_number,
                self.settings.http_max_attempts,
            ),
            reraise=True,
        )
        def once() -> httpx.Response:
            attempts["n"] += 1
            # httpx's timeout bounds each read, not the answer: a server dripping a few bytes at a time would
            # hold us forever. The whole answer must arrive within the timeout too.
            deadline = time.monotonic() + self.settings.http_timeout_seconds
            with self.client.stream("GET", path, params=params) as response:
                response.raise_for_status()
                chunks = []
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout(
                            f"answer not complete within {self.settings.http_timeout_seconds:g} s",
                            request=response.request,
                        )
                response._content = b"".join(chunks)  # what Response.read() does, under our deadline
            return response

        try:
            return once()
        except httpx.HTTPStatusError as exc:
            code = exc.response.status_code
            if code in (401, 403):
                raise SourceError(
                    f"missing or rejected API key for {self.name} (HTTP {code} from {path})", status=code
                ) from None
            raise SourceError(
                f"{self.name}: HTTP {code} from {_public_url(exc.request.url)} after {attempts['n']} attempt(s)",
                status=code,
            ) from None
        except httpx.TooManyRedirects:  # before TransportError: it is not worth retrying
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
            what = "empty body" if not response.content else f"{len(response.content)} bytes"
            raise SourceError(
                f"{self.name}: malformed JSON from {_public_url(response.request.url)} ({what})"
            ) from None


def _describe(exc: BaseException | None) -> str:
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code}"
    return type(exc).__name__


def _public_url(url: httpx.URL) -> str:
    """A URL fit for a message: query values that look like secrets are masked."""
    params = [(k, "***" if any(s in k.lower() for s in ("key", "token", "secret")) else v) for k, v in url.params.multi_items()]
    return str(url.copy_with(params=params)) if params else str(url)


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
