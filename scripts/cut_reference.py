"""Cut the reference data shipped in pokewatch/data/reference from the real files in ../shared (run once; output
committed): set names of both catalogues and product names, so import, backfill and the demo name their cards
offline. Every value is copied from the shared files; nothing is generated.
"""

from pathlib import Path

import pandas as pd

SHARED = Path(__file__).resolve().parents[2] / "shared"
OUT = Path(__file__).resolve().parents[1] / "pokewatch" / "data" / "reference"


def sets() -> pd.DataFrame:
    english = pd.read_csv(SHARED / "data/tcgcsv/Groups_3_pokemon.csv", header=None,
                          names=["set_id", "name", "category_id", "blank", "modified_on"])
    japanese = pd.read_csv(SHARED / "data/tcgcsv_japan/Groups_85_pokemon_japan.csv").rename(
        columns={"groupId": "set_id"}).assign(category_id=85)
    both = pd.concat([english[["set_id", "name", "category_id"]], japanese[["set_id", "name", "category_id"]]])
    return both.drop_duplicates("set_id").sort_values("set_id").reset_index(drop=True)


def names() -> pd.DataFrame:
    table = pd.read_csv(SHARED / "data/names/tcgplayer_pokemon_names.csv", keep_default_na=False, na_values=[""],
                        dtype={"number": str, "rarity": str})
    cards = pd.DataFrame({
        "product_id": table["product_id"].astype("int64"),
        "name": table["name"],
        "name_en": table["name_en"],
        "set_code": table["set_id_tcgdex"],
        "number": table["number"],
        "rarity": table["rarity"],
        "card_category": table["category"],
        "language": table["language"],
        "source": "tcgdex",
    })
    sealed = pd.read_csv(SHARED / "data/sealed/sealed_products_tracking.csv")
    sealed = pd.DataFrame({
        "product_id": sealed["productId"].astype("int64"),
        "name": sealed["name"],
        "name_en": sealed["name"],
        "rarity": "Sealed Product",
        "card_category": "Sealed",
        "language": "en",
        "source": "sealed-tracker",
    })
    both = pd.concat([cards, sealed[~sealed["product_id"].isin(cards["product_id"])]], ignore_index=True)
    return both.sort_values("product_id").reset_index(drop=True)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    s, n = sets(), names()
    s.to_csv(OUT / "sets.csv", index=False)
    n.to_parquet(OUT / "product_names.parquet", index=False, compression="zstd")
    print(f"{len(s):,} sets ({(s['category_id'] == 3).sum()} English, {(s['category_id'] == 85).sum()} Japanese); "
          f"{len(n):,} product names ({(n['source'] == 'tcgdex').sum():,} TCGdex, "
          f"{(n['source'] == 'sealed-tracker').sum():,} sealed)")


if __name__ == "__main__":
    main()
