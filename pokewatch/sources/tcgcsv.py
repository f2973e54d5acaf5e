"""tcgcsv.com, the keyless daily mirror of TCGplayer's catalogue and prices (category 3 = Pokémon)."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from pokewatch.landing_schema import NUMERIC_COLUMNS, PRICE_COLUMNS
from pokewatch.settings import Settings
from pokewatch.sources.base import DayLanding, HttpSource, SourceError, check_day, keep_raw, read_raw, require_fields

SOURCE = "tcgcsv"


class TcgcsvClient(HttpSource):
    name = SOURCE

    def __init__(self, settings: Settings, base_url: str | None = None):
        super().__init__(settings, base_url or settings.tcgcsv_base_url)

    def last_updated(self) -> str:
        return self.get("/last-updated.txt").text.strip()

    def _results(self, path: str, fields: tuple[str, ...]) -> list[dict]:
        body = self.get_json(path)
        url = f"{self.base_url}{path}"
        if not isinstance(body, dict) or not isinstance(body.get("results"), list):
            raise SourceError(f"{SOURCE}: unexpected shape from {url}: no 'results' list")
        if body.get("success") is False:
            raise SourceError(f"{SOURCE}: {url} answered success=false: {body.get('errors')}")
        require_fields(url, body["results"], fields, SOURCE)
        return body["results"]

    def groups(self, category: int) -> list[dict]:
        return self._results(f"/tcgplayer/{category}/groups", ("groupId", "name"))

    def products(self, category: int, group_id: int) -> list[dict]:
        return self._results(f"/tcgplayer/{category}/{group_id}/products", ("productId",))

    def prices(self, category: int, group_id: int) -> list[dict]:
        return self._results(f"/tcgplayer/{category}/{group_id}/prices", ("productId", "subTypeName"))


def served_day(last_updated: str) -> dt.date:
    """The day tcgcsv's prices belong to: the UTC date of its /last-updated.txt stamp (as its archives are named)."""
    text = last_updated.strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():  # "+0000" → "+00:00"
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        raise SourceError(f"{SOURCE}: /last-updated.txt says {last_updated[:40]!r}, not a timestamp") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC).date()


def prices_frame(results: list[dict], set_id: int, category_id: int) -> pd.DataFrame:
    """tcgcsv price objects → landing rows."""
    frame = pd.DataFrame.from_records(
        results, columns=["productId", "subTypeName", "lowPrice", "midPrice", "highPrice", "marketPrice", "directLowPrice"]
    )
    frame.columns = ["product_id", "variant", *NUMERIC_COLUMNS]
    frame["set_id"] = set_id
    frame["category_id"] = category_id
    return frame[PRICE_COLUMNS]


def _extended(product: dict, key: str) -> str | None:
    for item in product.get("extendedData") or []:
        if item.get("name") == key:
            return item.get("value")
    return None


def cards_frame(products: list[dict], set_id: int) -> pd.DataFrame:
    """tcgcsv products → `cards` rows (number, rarity and card type come from extendedData)."""
    rows = [
        {
            "product_id": p["productId"],
            "set_id": set_id,
            "name": p.get("name"),
            "clean_name": p.get("cleanName"),
            "number": _extended(p, "Number"),
            "rarity": _extended(p, "Rarity"),
            "card_type": _extended(p, "CardType"),
        }
        for p in products
    ]
    return pd.DataFrame(rows, columns=["product_id", "set_id", "name", "clean_name", "number", "rarity", "card_type"])


def sets_frame(groups: list[dict], category_id: int) -> pd.DataFrame:
    from pokewatch.catalogue import set_code

    rows = [
        {
            "set_id": g["groupId"],
            "name": g["name"],
            "abbreviation": g.get("abbreviation"),
            "release_date": (g.get("publishedOn") or "")[:10] or None,
            "modified_on": g.get("modifiedOn"),
            "category_id": category_id,
            "code": set_code(g["name"]),
        }
        for g in groups
    ]
    return pd.DataFrame(rows, columns=["set_id", "name", "abbreviation", "release_date", "modified_on",
                                       "category_id", "code"])


def collect_day(
    settings: Settings, as_of: dt.date | None, base_url: str | None = None, known_last_updated: str | None = None
) -> DayLanding:
    """Fetch every set's prices (and products) of every configured category for the day tcgcsv serves.

    The day is the source's: its /last-updated.txt decides it, and asking for another day is refused
    (NotPublishedYet when it is later, WrongDay when earlier); nothing is fetched then. When the stamp still equals
    `known_last_updated` (the last landing's), nothing is fetched and the result is marked `unchanged`. All sets
    of all categories, or an error naming the ones that failed. Bodies already kept for the day under HOME/raw
    (from the same publish) are reused, so a rerun fetches only what is missing.
    """
    with TcgcsvClient(settings, base_url) as client:
        last_updated = client.last_updated()
        day = check_day(SOURCE, as_of, served_day(last_updated), f"last updated {last_updated}")
        if known_last_updated is not None and last_updated == known_last_updated:
            return DayLanding(SOURCE, day, pd.DataFrame(columns=PRICE_COLUMNS), last_updated=last_updated,
                              unchanged=True)
        folder = settings.home_dir / "raw" / SOURCE / str(day)
        marker = folder / "last-updated.txt"
        # Kept bodies belong to one publish: after tcgcsv republishes, fetch everything again.
        reuse = marker.exists() and marker.read_text() == last_updated
        folder.mkdir(parents=True, exist_ok=True)
        marker.write_text(last_updated)
        groups = {category: client.groups(category) for category in settings.categories}
        for category, listed in groups.items():
            keep_raw(settings, SOURCE, day, f"{category}-groups", listed)

        def fetch(category: int, gid: int) -> tuple[pd.DataFrame, pd.DataFrame]:
            bodies = {}
            for kind, getter in (("prices", client.prices), ("products", client.products)):
                kept = folder / f"{category}-{gid}-{kind}.json.gz"
                if reuse and kept.exists():
                    bodies[kind] = read_raw(kept)
                else:
                    bodies[kind] = getter(category, gid)
                    keep_raw(settings, SOURCE, day, f"{category}-{gid}-{kind}", bodies[kind])
            return prices_frame(bodies["prices"], gid, category), cards_frame(bodies["products"], gid)

        failed: dict[int, str] = {}
        prices, cards = [], []
        with ThreadPoolExecutor(max_workers=max(1, settings.http_concurrency)) as pool:
            futures = {int(g["groupId"]): pool.submit(fetch, category, int(g["groupId"]))
                       for category, listed in groups.items() for g in listed}
            for gid, future in futures.items():
                try:
                    p, c = future.result()
                except SourceError as exc:
                    failed[gid] = str(exc)
                else:
                    prices.append(p)
                    cards.append(c)
    if failed:
        listed = ", ".join(str(g) for g in sorted(failed))
        first = next(iter(failed.values()))
        raise SourceError(
            f"{SOURCE}: {len(failed)} of {len(futures)} sets failed for {day} (sets {listed}); "
            f"nothing landed for that day, rerun to fetch only those. First error: {first}"
        )
    return DayLanding(
        source=SOURCE,
        as_of=day,
        prices=pd.concat(prices, ignore_index=True) if prices else pd.DataFrame(columns=PRICE_COLUMNS),
        sets=pd.concat([sets_frame(listed, category) for category, listed in groups.items()], ignore_index=True),
        cards=pd.concat(cards, ignore_index=True) if cards else pd.DataFrame(),
        last_updated=last_updated,
    )
