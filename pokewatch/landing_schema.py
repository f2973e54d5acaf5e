"""The landing schema: the columns every price source hands to landing, and what a price value means."""

from __future__ import annotations

# One row per (product_id, variant) for a day. Prices in dollars; None = no price. category_id is the TCGplayer
# category (3 English, 85 Japanese).
PRICE_COLUMNS = ["product_id", "variant", "set_id", "category_id", "low", "mid", "high", "market", "direct_low"]
NUMERIC_COLUMNS = ["low", "mid", "high", "market", "direct_low"]
# A series is a product in one printing variant.
SERIES_KEY = ["product_id", "variant"]
# tcgcsv lists an item nobody offers at 999.0 in low/mid/high: a placeholder, not a price.
PLACEHOLDER_PRICE = 999.0
# What a landed value may be (the data contract at the edge, checked before anything lands): ids are positive
# integers that fit PostgreSQL's integer (TCGplayer's are below 10 million); prices are finite, non-negative and
# under a ceiling no Pokémon card has reached; days fall between TCGplayer's early years and tomorrow.
MAX_ID = 2**31 - 1
PRICE_CEILING = 1_000_000.0
FIRST_PRICE_DAY = "2010-01-01"
