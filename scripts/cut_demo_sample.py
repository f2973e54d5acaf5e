"""Cut the demo sample shipped in pokewatch/data from the real files in ../shared (run once; output committed).

Every value is copied from the real tcgcsv data; nothing is generated.
"""

from pathlib import Path

import pandas as pd

SHARED = Path(__file__).resolve().parents[2] / "shared"
OUT = Path(__file__).resolve().parents[1] / "pokewatch" / "data"
# Base Set (names known from tcgcsv's ProductsAndPrices export), Scarlet & Violet 151, and three more
# sets whose sealed products have names in the sealed tracker: old, mid-life and recent sets.
SETS = [604, 23237, 2906, 23353, 24269]


def main() -> None:
    prices = pd.read_parquet(SHARED / "data/tcgcsv/tcgcsv_prices_cat3_pokemon_2025-09-21_2025-10-26.parquet")
    sample = prices[prices["groupId"].isin(SETS)].reset_index(drop=True)
    sample.to_parquet(OUT / "demo_prices.parquet", index=False, compression="zstd")

    groups = pd.read_csv(SHARED / "data/tcgcsv/Groups_3_pokemon.csv", header=None,
                         names=["set_id", "name", "category", "blank", "modified_on"])
    groups[groups["set_id"].isin(SETS)][["set_id", "name", "modified_on"]].to_csv(OUT / "demo_sets.csv", index=False)

    base = pd.read_csv(SHARED / "fixtures/tcgcsv/ProductsAndPrices_3_604_BaseSet.csv")
    base_cards = base.drop_duplicates("productId").rename(columns={
        "productId": "product_id", "groupId": "set_id", "cleanName": "clean_name", "extNumber": "number",
        "extRarity": "rarity", "extCardType": "card_type"})
    sealed = pd.read_csv(SHARED / "data/sealed/sealed_products_tracking.csv").rename(columns={
        "productId": "product_id", "set_code": "set_id", "cleanName": "clean_name"})
    sealed = sealed[sealed["set_id"].isin(SETS)].assign(rarity="Sealed Product")
    columns = ["product_id", "set_id", "name", "clean_name", "number", "rarity", "card_type"]
    cards = pd.concat([base_cards.reindex(columns=columns), sealed.reindex(columns=columns)])
    cards = cards[cards["product_id"].isin(sample["productId"])].drop_duplicates("product_id")
    cards.to_csv(OUT / "demo_cards.csv", index=False)
    print(f"{len(sample):,} price rows, {sample.groupby(['productId', 'subTypeName']).ngroups:,} series, "
          f"{len(cards):,} named products, {len(SETS)} sets")


if __name__ == "__main__":
    main()
