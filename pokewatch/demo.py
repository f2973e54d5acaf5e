"""The shipped real sample (pokewatch/data/SOURCE.md), so the whole job runs offline: five English sets for 36
days, named sealed products with their history since 2024-02-08, three Japanese sets on two days."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pokewatch import db
from pokewatch.landing import CARD_COLUMNS, LandingResult, land_prices, upsert_reference
from pokewatch.settings import PACKAGE_DIR, Settings
from pokewatch.sources.files import read_price_history

SAMPLE_DIR = PACKAGE_DIR / "data"
SAMPLE_PRICES = SAMPLE_DIR / "demo_prices.parquet"
SAMPLE_CARDS = SAMPLE_DIR / "demo_cards.csv"


def sample_last_day() -> dt.date:
    return dt.date.fromisoformat(str(pd.read_parquet(SAMPLE_PRICES, columns=["date"])["date"].max()))


def load_sample(settings: Settings) -> LandingResult:
    """Land the sample's prices (configured categories) and the names tcgcsv's export gives Base Set, in one
    transaction; set and the other card names come from the reference data `init` loads. Loading it twice
    changes nothing."""
    prices = read_price_history(SAMPLE_PRICES, settings.categories)
    cards = pd.read_csv(SAMPLE_CARDS, dtype={"number": str})
    with db.connect(settings) as conn:
        upsert_reference(conn, "cards", cards, CARD_COLUMNS)
        return land_prices(conn, "tcgcsv", prices)
