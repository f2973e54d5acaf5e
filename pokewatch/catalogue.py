"""The catalogues PokeWatch tracks (TCGplayer categories) and the reference names shipped with it.

Category 3 is the English Pokémon catalogue, 85 the Japanese one ("Pokemon Japan", priced in USD too); tcgcsv
serves both through the same endpoints and archives. The reference data (pokewatch/data/reference, see its
NOTICE.md: TCGdex names under the MIT licence, sealed products, both catalogues' set names) is loaded into the
warehouse on `pokewatch init`, so cards are named offline; names tcgcsv's live products give take precedence.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import psycopg

from pokewatch.settings import LANGUAGES, PACKAGE_DIR

REFERENCE_DIR = PACKAGE_DIR / "data" / "reference"


@dataclass(frozen=True)
class Category:
    id: int
    language: str
    name: str


NAMES = {3: "Pokémon (English)", 85: "Pokémon Japan"}
CATEGORIES = {c: Category(c, language, NAMES[c]) for c, language in LANGUAGES.items()}


def set_code(name: str | None) -> str | None:
    """"SV2a: Pokemon Card 151" → "SV2a" (the part before the colon); None when the name has none."""
    if not isinstance(name, str) or ":" not in name:
        return None
    return name.split(":", 1)[0].strip() or None


def reference_sets() -> pd.DataFrame:
    sets = pd.read_csv(REFERENCE_DIR / "sets.csv")
    return sets.assign(code=sets["name"].map(set_code))


def reference_names() -> pd.DataFrame:
    return pd.read_parquet(REFERENCE_DIR / "product_names.parquet")


def load_reference(conn: psycopg.Connection) -> tuple[int, int]:
    """Refresh `product_names` and fill the sets' names, codes and categories (a live value is never replaced).

    Runs in the caller's transaction; returns (names, sets) rows loaded.
    """
    from pokewatch.db import copy_in

    names = reference_names()
    conn.execute("truncate pokewatch.product_names")
    copy_in(conn, "pokewatch.product_names", names, list(names.columns))
    sets = reference_sets()
    conn.execute("create temp table reference_sets (set_id bigint, name text, category_id int, code text) "
                 "on commit drop")
    copy_in(conn, "reference_sets", sets, ["set_id", "name", "category_id", "code"])
    conn.execute(
        """
        insert into pokewatch.sets as s (set_id, name, category_id, code)
        select set_id, name, category_id, code from reference_sets
        on conflict (set_id) do update
        set category_id = coalesce(s.category_id, excluded.category_id), code = coalesce(s.code, excluded.code)
        where s.category_id is null or s.code is null
        """
    )
    conn.execute("drop table reference_sets")
    return len(names), len(sets)
