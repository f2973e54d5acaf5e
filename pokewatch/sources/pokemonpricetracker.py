"""PokemonPriceTracker API v2 (`Authorization: Bearer`): TCGplayer prices by product id or set, within a daily quota."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pokewatch.landing_schema import PRICE_COLUMNS
from pokewatch.settings import Settings
from pokewatch.sources.base import DayLanding, HttpSource, SourceError, check_day, common_day, keep_raw, require_fields

SOURCE = "pokemonpricetracker"
DEFAULT_BASE_URL = "https://www.pokemonpricetracker.com/api/v2"
PAGE_LIMIT = 100


class QuotaExhausted(SourceError):
    """The daily quota would run out with the next request: stopped before spending it."""


class PokemonPriceTrackerClient(HttpSource):
    name = SOURCE

    def __init__(self, settings: Settings, api_key: str | None, base_url: str | None = None, reserve: int = 0):
        if not api_key:
            raise SourceError(f"missing or rejected API key for {SOURCE}: set POKEMON_PRICE_API_KEY")
        super().__init__(settings, base_url or DEFAULT_BASE_URL, headers={"Authorization": f"Bearer {api_key}"})
        self.reserve = reserve  # calls to leave unspent for other uses of the same key
        self.remaining: int | None = None  # x-ratelimit-daily-remaining of the last answer
        self.cost = 1  # x-api-calls-consumed of the last answer: what the next similar call will cost
        self.consumed = 0

    def _check_quota(self, params: dict) -> None:
        if self.remaining is not None and self.remaining - self.reserve < self.cost:
            raise QuotaExhausted(
                f"{SOURCE}: stopped before the daily quota runs out ({self.remaining} call(s) left, the next request "
                f"costs about {self.cost}; {self.consumed} spent by this run); nothing landed, rerun after the reset. "
                f"Next request would have been /cards {params}"
            )

    def _read_quota(self, headers) -> None:
        for name, attr in (("x-ratelimit-daily-remaining", "remaining"), ("x-api-calls-consumed", "cost")):
            value = headers.get(name, "").strip()
            if value.isdigit():
                setattr(self, attr, int(value))
        self.consumed += self.cost

    def page(self, params: dict) -> dict:
        self._check_quota(params)
        response = self.get("/cards", params=params)
        self._read_quota(response.headers)
        url = str(response.request.url)
        try:
            body = response.json()
        except ValueError:
            what = "empty body" if not response.content else f"{len(response.content)} bytes"
            raise SourceError(f"{SOURCE}: malformed JSON from {url} ({what})") from None
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise SourceError(f"{SOURCE}: unexpected shape from {url}: no 'data' list")
        require_fields(url, body["data"], ("tcgPlayerId",), SOURCE)
        return body

    def cards(self, **params) -> list[dict]:
        """Every card matching `params`, following limit/offset paging while metadata says hasMore."""
        cards: list[dict] = []
        offset = 0
        while True:
            body = self.page({**params, "limit": PAGE_LIMIT, "offset": offset})
            cards.extend(body["data"])
            if not body["data"] or not (body.get("metadata") or {}).get("hasMore"):
                return cards
            offset += len(body["data"])

    def cards_by_product(self, product_id: int) -> list[dict]:
        return self.cards(tcgPlayerId=str(product_id))

    def cards_in_set(self, set_id) -> list[dict]:
        return self.cards(setId=str(set_id), fetchAllInSet="true")


def _price(value) -> float | None:
    # The API writes 0 where nobody lists the card: no price, not a free card.
    return float(value) if isinstance(value, int | float) and value > 0 else None


def _near_mint(conditions: dict) -> float | None:
    for name, quote in conditions.items():
        if name.startswith("Near Mint") and isinstance(quote, dict):
            return _price(quote.get("price"))
    first = next(iter(conditions.values()), None)
    return _price(first.get("price")) if isinstance(first, dict) else None


def prices_frame(cards: list[dict]) -> pd.DataFrame:
    """One landing row per card and printing (variant); product_id is the card's TCGplayer id."""
    rows = []
    for card in cards:
        prices = card.get("prices") or {}
        lows = card.get("variants") or {}
        variants = prices.get("variants") or {}
        if not variants and prices.get("market") is not None:  # no per-printing quotes: the primary printing
            variants = {prices.get("primaryPrinting") or "Normal": {"Near Mint": {"price": prices.get("market")}}}
        for printing, conditions in variants.items():
            rows.append(
                {
                    "product_id": int(card["tcgPlayerId"]),
                    "variant": printing,
                    "set_id": card.get("setId"),
                    "category_id": 85 if str(card.get("language") or "").lower().startswith("ja") else 3,
                    "low": _price((lows.get(printing) or {}).get("lowPrice")),
                    "mid": None,
                    "high": None,
                    "market": _near_mint(conditions if isinstance(conditions, dict) else {}),
                    "direct_low": None,
                }
            )
    return pd.DataFrame(rows, columns=PRICE_COLUMNS)


def cards_frame(cards: list[dict]) -> pd.DataFrame:
    rows = [
        {
            "product_id": int(c["tcgPlayerId"]),
            "set_id": c.get("setId"),
            "name": c.get("name"),
            "number": c.get("cardNumber"),
            "rarity": c.get("rarity"),
            "card_type": c.get("cardType"),
        }
        for c in cards
    ]
    return pd.DataFrame(rows, columns=["product_id", "set_id", "name", "number", "rarity", "card_type"])


def sets_frame(cards: list[dict]) -> pd.DataFrame:
    seen = {c["setId"]: c.get("setName") for c in cards if c.get("setId") is not None and c.get("setName")}
    return pd.DataFrame([{"set_id": k, "name": v} for k, v in seen.items()], columns=["set_id", "name"])


def collect_day(
    settings: Settings,
    as_of: dt.date | None,
    *,
    api_key: str | None,
    base_url: str | None = None,
    set_ids: list | None = None,
    product_ids: list[int] | None = None,
    reserve: int = 0,
) -> DayLanding:
    """Fetch the named sets and products; all of them or an error (a quota stop included).

    The day is the source's: the date most of the prices were last updated (`prices.lastUpdated`); asking for
    another day is refused (nothing lands)."""
    cards: list[dict] = []
    with PokemonPriceTrackerClient(settings, api_key, base_url, reserve) as client:
        for set_id in set_ids or []:
            cards.extend(client.cards_in_set(set_id))
        for product_id in product_ids or []:
            cards.extend(client.cards_by_product(product_id))
        note = f"{client.consumed} API call(s) spent, {client.remaining} left today"
    unique = list({(c["tcgPlayerId"]): c for c in cards}.values())  # a card asked for by set and by id
    served = common_day((c.get("prices") or {}).get("lastUpdated") for c in unique) or dt.datetime.now(dt.UTC).date()
    day = check_day(SOURCE, as_of, served, "the day its prices were last updated")
    keep_raw(settings, SOURCE, day, "cards", cards)
    return DayLanding(
        SOURCE, day, prices_frame(unique), sets=sets_frame(unique), cards=cards_frame(unique), note=note
    )
