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
