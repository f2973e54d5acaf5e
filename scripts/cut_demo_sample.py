"""Cut the demo sample shipped in pokewatch/data from the real files in ../shared (run once; output committed).

Every value is copied from the real tcgcsv data; nothing is generated:
- English cards: every price of five sets for the 36 catalogue days (2025-09-21 … 2025-10-26);
- sealed products with a long history: every named sealed product of the sealed tracker, its daily market price
  from 2024-02-08 (the tracker's tcgcsv-derived history, equal to the catalogue on all overlapping days) extended
  with the catalogue's days up to 2025-10-26, so the 30- and 90-day horizons have history;
- Japanese cards: three sets whose products TCGdex names, on the two Japanese days the shared data holds
  (2025-09-21 from the Japanese parquet, 2025-10-26 from the shared tcgcsv archive).
"""

import json
import tempfile
from pathlib import Path

import pandas as pd
import py7zr

SHARED = Path(__file__).resolve().parents[2] / "shared"
OUT = Path(__file__).resolve().parents[1] / "pokewatch" / "data"
# Base Set, Scarlet & Violet 151, Fusion Strike, Paldean Fates, Destined Rivals: old, mid-life and recent sets.
SETS = [604, 23237, 2906, 23353, 24269]
# SV3a Raging Surf, SV4a Shiny Treasure ex, SV5a Crimson Haze (Japanese, named by TCGdex).
JAPANESE_SETS = [23600, 23601, 23602]
COLUMNS = ["date", "categoryId", "groupId", "productId", "subTypeName", "lowPrice", "midPrice", "highPrice",
           "marketPrice", "directLowPrice"]


def japanese_day_from_archive() -> pd.DataFrame:
    archive = SHARED / "data/tcgcsv/prices-2025-10-26.ppmd.7z"
    with py7zr.SevenZipFile(archive) as z, tempfile.TemporaryDirectory() as tmp:
        wanted = [f"2025-10-26/85/{g}/prices" for g in JAPANESE_SETS]
        z.extract(path=tmp, targets=wanted)
        rows = []
        for name in wanted:
            for r in json.loads((Path(tmp) / name).read_text())["results"]:
                rows.append({"date": "2025-10-26", "categoryId": 85, "groupId": int(name.split("/")[2]), **r})
    return pd.DataFrame(rows).reindex(columns=COLUMNS)


def main() -> None:
    catalogue = pd.read_parquet(SHARED / "data/tcgcsv/tcgcsv_prices_cat3_pokemon_2025-09-21_2025-10-26.parquet")
    cards = catalogue[catalogue["groupId"].isin(SETS)]

    tracked = pd.read_csv(SHARED / "data/sealed/sealed_products_tracking.csv")
    sealed_history = pd.read_parquet(SHARED / "data/sealed/sealed_market_prices_daily_2024-02-08_2025-10-09.parquet")
    sealed_history = sealed_history[sealed_history["productId"].isin(tracked["productId"])]
    group_of = catalogue.drop_duplicates("productId").set_index("productId")["groupId"]
    sealed_history = sealed_history[sealed_history["productId"].isin(group_of.index)]  # products tcgcsv still lists
    older = sealed_history[sealed_history["date"] < catalogue["date"].min()]
    sealed = pd.DataFrame({"date": older["date"].astype(str), "categoryId": 3,
                           "groupId": older["productId"].map(group_of), "productId": older["productId"],
                           "subTypeName": "Normal", "marketPrice": older["marketPrice"]}).reindex(columns=COLUMNS)
    sealed_recent = catalogue[catalogue["productId"].isin(sealed_history["productId"])
                              & (catalogue["subTypeName"] == "Normal") & ~catalogue["groupId"].isin(SETS)]

    japanese = pd.read_parquet(SHARED / "data/tcgcsv_japan/tcgcsv_prices_cat85_pokemon_japan_2025-09-21.parquet")
    japanese = pd.concat([japanese[japanese["groupId"].isin(JAPANESE_SETS)], japanese_day_from_archive()])

    sample = pd.concat([cards, sealed_recent, sealed, japanese], ignore_index=True)[COLUMNS]
    sample["date"] = sample["date"].astype(str)
    sample = sample.drop_duplicates(["productId", "subTypeName", "date"]).sort_values(
        ["date", "groupId", "productId", "subTypeName"]).reset_index(drop=True)
    sample.to_parquet(OUT / "demo_prices.parquet", index=False, compression="zstd")

    base = pd.read_csv(SHARED / "fixtures/tcgcsv/ProductsAndPrices_3_604_BaseSet.csv")
    base_cards = base.drop_duplicates("productId").rename(columns={
        "productId": "product_id", "groupId": "set_id", "cleanName": "clean_name", "extNumber": "number",
        "extRarity": "rarity", "extCardType": "card_type"})
    columns = ["product_id", "set_id", "name", "clean_name", "number", "rarity", "card_type"]
    named = base_cards.reindex(columns=columns)
    named = named[named["product_id"].isin(sample["productId"])].drop_duplicates("product_id")
    named.to_csv(OUT / "demo_cards.csv", index=False)

    names = pd.read_parquet(OUT / "reference/product_names.parquet")
    series = sample.drop_duplicates(["productId", "subTypeName"])
    share = series["productId"].isin(set(names["product_id"]) | set(named["product_id"])).mean()
    print(f"{len(sample):,} price rows, {len(series):,} series ({share:.1%} named), "
          f"{sample['groupId'].nunique()} sets, {sample['date'].min()} .. {sample['date'].max()}")


if __name__ == "__main__":
    main()
