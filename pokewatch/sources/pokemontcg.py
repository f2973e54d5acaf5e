"""pokemontcg.io API v2 (`X-Api-Key` optional): TCGplayer prices per variant, cardmarket EUR prices, set details.

Its cards carry no TCGplayer product id, so they are tied to `pokewatch.cards` by set name and card number;
every card that cannot be tied is counted and reported.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd
import psycopg

from pokewatch.landing_schema import PRICE_COLUMNS
from pokewatch.settings import Settings
from pokewatch.sources.base import DayLanding, HttpSource, SourceError, common_day, keep_raw, require_fields

SOURCE = "pokemontcg"
DEFAULT_BASE_URL = "https://api.pokemontcg.io/v2"
PAGE_SIZE = 250  # the API's maximum
# pokemontcg.io's price keys → TCGplayer's subTypeName (the variant names tcgcsv lands).
VARIANTS = {
    "normal": "Normal",
    "holofoil": "Holofoil",
    "reverseHolofoil": "Reverse Holofoil",
    "1stEditionHolofoil": "1st Edition Holofoil",
    "1stEditionNormal": "1st Edition",
    "unlimitedHolofoil": "Unlimited Holofoil",
    "unlimitedNormal": "Unlimited",
}
CARDMARKET = {
    "averageSellPrice": "average_sell",
    "lowPrice": "low",
    "trendPrice": "trend",
    "avg1": "avg1",
    "avg7": "avg7",
    "avg30": "avg30",
    "reverseHoloSell": "reverse_holo_sell",
    "reverseHoloLow": "reverse_holo_low",
    "reverseHoloTrend": "reverse_holo_trend",
}


class PokemonTcgClient(HttpSource):
    name = SOURCE

    def __init__(self, settings: Settings, api_key: str | None = None, base_url: str | None = None):
        # Without a key the API still answers, with a lower rate limit.
        super().__init__(settings, base_url or DEFAULT_BASE_URL, headers={"X-Api-Key": api_key} if api_key else None)

    def _page(self, path: str, params: dict) -> dict:
        body = self.get_json(path, params=params)
        url = f"{self.base_url}{path}?page={params['page']}"
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise SourceError(f"{SOURCE}: unexpected shape from {url}: no 'data' list")
        for name in ("count", "totalCount"):
            if not isinstance(body.get(name), int):
                raise SourceError(f"{SOURCE}: unexpected shape from {url}: no integer field {name!r}")
        return body

    def paged(self, path: str, q: str | None = None, page_size: int = PAGE_SIZE) -> list[dict]:
        """Every item, page by page, until a page is empty or page × pageSize reaches totalCount."""
        items: list[dict] = []
        page, size = 1, min(page_size, PAGE_SIZE)
        while True:
            params = {"page": page, "pageSize": size, **({"q": q} if q else {})}
            body = self._page(path, params)
            items.extend(body["data"])
            if body["count"] == 0 or page * size >= body["totalCount"]:
                return items
            page += 1

    def cards(self, q: str | None = None) -> list[dict]:
        cards = self.paged("/cards", q)
        require_fields(f"{self.base_url}/cards", cards, ("id", "number", "set"), SOURCE)
        return cards

    def sets(self) -> list[dict]:
        return self.paged("/sets")


def fetch_cards(
    settings: Settings, base_url: str | None = None, api_key: str | None = None, set_ids: list | None = None
) -> list[dict]:
    """All cards of the named pokemontcg.io sets (e.g. "base1"), or every card when None."""
    with PokemonTcgClient(settings, api_key, base_url) as client:
        if not set_ids:
            return client.cards()
        return [card for set_id in set_ids for card in client.cards(f"set.id:{set_id}")]


@dataclass
class TcgReport:
    cards: int = 0
    mapped: int = 0
    unmapped: int = 0  # cards with prices that could not be tied to a TCGplayer product
    unmapped_sets: set[str] = field(default_factory=set)
    ambiguous: int = 0  # of the unmapped: more than one product has that set and number
    unknown_variants: dict[str, int] = field(default_factory=dict)
    unmapped_examples: list[str] = field(default_factory=list)
    cardmarket: pd.DataFrame = field(default_factory=pd.DataFrame)
    set_details: list[tuple] = field(default_factory=list)  # (series, release_date, set_id)
    card_details: list[tuple] = field(default_factory=list)  # (rarity, product_id)

    def summary(self) -> str:
        text = f"{self.mapped} of {self.cards} cards tied to TCGplayer products; {self.unmapped} unmapped"
        if self.unmapped:
            text += f" ({self.ambiguous} ambiguous; {len(self.unmapped_sets)} set(s) unknown; e.g. "
            text += ", ".join(self.unmapped_examples[:5]) + ")"
        if self.unknown_variants:
            text += f"; variant keys not landed: {self.unknown_variants}"
        return text


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower().replace("&", "and")).strip()


def _number(number: str | None) -> str | None:
    """'001/102' and '1' are the same card number; compare the part before '/' without leading zeros."""
    if not number:
        return None
    head = str(number).split("/")[0].strip().lower()
    return head.lstrip("0") or head


def set_index(conn: psycopg.Connection) -> dict[str, int]:
    """Normalised TCGplayer set name → set_id; prefixes like 'SWSH08: ' or 'XY - ' are also dropped."""
    index: dict[str, set[int]] = {}
    for set_id, name in conn.execute("select set_id, name from pokewatch.sets").fetchall():
        plain = re.sub(r"^[A-Za-z0-9]+(: | - )", "", name)
        for key in {_norm(name), _norm(plain)}:
            index.setdefault(key, set()).add(set_id)
    return {k: next(iter(v)) for k, v in index.items() if len(v) == 1}


def card_index(conn: psycopg.Connection) -> dict[tuple[int, str], list[int]]:
    index: dict[tuple[int, str], list[int]] = {}
    rows = conn.execute("select product_id, set_id, number from pokewatch.cards where number is not null").fetchall()
    for product_id, set_id, number in rows:
        index.setdefault((set_id, _number(number)), []).append(product_id)
    return index


def _money(value) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def to_landing(conn: psycopg.Connection, cards: list[dict], as_of: dt.date) -> tuple[DayLanding, TcgReport]:
    """Map cards to TCGplayer products through `pokewatch.cards` and build the rows to land."""
    sets, products = set_index(conn), card_index(conn)
    report = TcgReport(cards=len(cards))
    rows, market_rows, set_details = [], [], {}
    for card in cards:
        info = card.get("set") or {}
        set_id = sets.get(_norm(info.get("name", ""))) or sets.get(_norm(info.get("name", "") + " Set"))
        matches = products.get((set_id, _number(card.get("number"))), []) if set_id else []
        product_id = matches[0] if len(matches) == 1 else None
        if set_id:
            release = (info.get("releaseDate") or "").replace("/", "-") or None
            set_details[set_id] = (info.get("series"), release, set_id)
        tcg_prices = (card.get("tcgplayer") or {}).get("prices") or {}
        if product_id is None:
            if tcg_prices:
                report.unmapped += 1
                report.ambiguous += len(matches) > 1
                report.unmapped_examples.append(card["id"])
                if not set_id:
                    report.unmapped_sets.add(info.get("id", "?"))
        else:
            report.mapped += 1
            if card.get("rarity"):
                report.card_details.append((card["rarity"], product_id))
            for key, quote in tcg_prices.items():
                if key not in VARIANTS:
                    report.unknown_variants[key] = report.unknown_variants.get(key, 0) + 1
                    continue
                rows.append(
                    {
                        "product_id": product_id,
                        "variant": VARIANTS[key],
                        "set_id": set_id,
                        "category_id": 3,  # pokemontcg.io lists the English cards
                        "low": _money(quote.get("low")),
                        "mid": _money(quote.get("mid")),
                        "high": _money(quote.get("high")),
                        "market": _money(quote.get("market")),
                        "direct_low": _money(quote.get("directLow")),
                    }
                )
        cardmarket = card.get("cardmarket") or {}
        if cardmarket.get("prices"):
            row = {"card_id": card["id"], "as_of": as_of, "product_id": product_id, "updated_on": cardmarket.get("updatedAt")}
            row.update({col: _money(cardmarket["prices"].get(key)) for key, col in CARDMARKET.items()})
            market_rows.append(row)
    report.set_details = list(set_details.values())
    report.cardmarket = pd.DataFrame(market_rows)
    prices = pd.DataFrame(rows, columns=PRICE_COLUMNS).drop_duplicates(["product_id", "variant"])
    return DayLanding(SOURCE, as_of, prices, note=report.summary()), report


def land_extras(conn: psycopg.Connection, report: TcgReport) -> None:
    """Fill set series/release dates and card rarities that are still empty; land cardmarket EUR prices."""
    with conn.cursor() as cur:
        if report.set_details:
            cur.executemany(
                "update pokewatch.sets set series = coalesce(series, %s), release_date = coalesce(release_date, %s), "
                "updated_at = now() where set_id = %s and (series is null or release_date is null)",
                report.set_details,
            )
        if report.card_details:
            cur.executemany(
                "update pokewatch.cards set rarity = %s, updated_at = now() where product_id = %s and rarity is null",
                report.card_details,
            )
    if report.cardmarket.empty:
        return
    columns = ["card_id", "as_of", "product_id", "updated_on", *CARDMARKET.values()]
    with conn.cursor() as cur:
        cur.executemany(
            f"insert into pokewatch.cardmarket_prices ({', '.join(columns)}) values ({', '.join(['%s'] * len(columns))}) "
            "on conflict (source, card_id, as_of) do update set "
            + ", ".join(f"{c} = excluded.{c}" for c in columns[2:]),
            [tuple(None if pd.isna(v) else v for v in r) for r in report.cardmarket[columns].itertuples(index=False)],
        )


def served_day(cards: list[dict]) -> dt.date:
    """The day pokemontcg.io's TCGplayer prices are for: the date most cards carry in `tcgplayer.updatedAt`."""
    return common_day((c.get("tcgplayer") or {}).get("updatedAt") for c in cards) or dt.datetime.now(dt.UTC).date()


def keep(settings: Settings, as_of: dt.date, cards: list[dict]) -> None:
    keep_raw(settings, SOURCE, as_of, "cards", cards)
