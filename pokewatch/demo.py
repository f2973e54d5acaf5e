"""The shipped real sample: a few sets' prices for 36 days, so the whole job runs offline."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pokewatch import db
from pokewatch.landing import CARD_COLUMNS, SET_COLUMNS, LandingResult, land_prices, upsert_reference
from pokewatch.settings import PACKAGE_DIR, Settings
from pokewatch.sources.files import read_price_history

SAMPLE_DIR = PACKAGE_DIR / "data"
SAMPLE_PRICES = SAMPLE_DIR / "demo_prices.parquet"
SAMPLE_SETS = SAMPLE_DIR / "demo_sets.csv"
SAMPLE_CARDS = SAMPLE_DIR / "demo_cards.csv"


def sample_last_day() -> dt.date:
    return dt.date.fromisoformat(str(pd.read_parquet(SAMPLE_PRICES, columns=["date"])["date"].max()))


def load_sample(settings: Settings) -> LandingResult:
    """Land the sample (prices, set names, card names) in one transaction; loading it twice changes nothing."""
    prices = read_price_history(SAMPLE_PRICES, settings.tcgcsv_category)
    sets = pd.read_csv(SAMPLE_SETS)
    cards = pd.read_csv(SAMPLE_CARDS, dtype={"number": str})
    with db.connect(settings) as conn:
        upsert_reference(conn, "sets", sets, SET_COLUMNS)
        upsert_reference(conn, "cards", cards, CARD_COLUMNS)
        return land_prices(conn, "tcgcsv", prices)
