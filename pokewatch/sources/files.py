"""History from files in tcgcsv's price schema (parquet or CSV), e.g. ../shared/data/tcgcsv/*.parquet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pokewatch.landing_schema import NUMERIC_COLUMNS, PRICE_COLUMNS
from pokewatch.sources.base import SourceError

TCGCSV_COLUMNS = {
    "date": "as_of",
    "groupId": "set_id",
    "productId": "product_id",
    "subTypeName": "variant",
    "lowPrice": "low",
    "midPrice": "mid",
    "highPrice": "high",
    "marketPrice": "market",
    "directLowPrice": "direct_low",
}


def read_price_history(path: Path, categories: tuple[int, ...] | list[int] = (3, 85),
                       default_category: int = 3) -> pd.DataFrame:
    """Read a tcgcsv-schema file into landing rows (with `as_of`); a clear error names what is wrong and where.

    Rows of the given TCGplayer `categories` are kept (its `categoryId` column; a file without one is all
    `default_category`). A file with rows but none of those categories is an error naming the ones it has.
    """
    path = Path(path)
    if not path.exists():
        raise SourceError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            raw = pd.read_parquet(path)
        elif suffix in (".csv", ".gz"):
            raw = pd.read_csv(path, dtype={"subTypeName": str})
        else:
            raise SourceError(f"{path}: unsupported file type {suffix!r} (use .parquet or .csv)")
    except SourceError:
        raise
    except Exception as exc:  # pyarrow/pandas parse errors: say which file
        raise SourceError(f"{path}: cannot be read as {suffix[1:]}: {exc}") from None
    missing = [c for c in TCGCSV_COLUMNS if c not in raw.columns]
    if missing:
        raise SourceError(f"{path}: missing column(s) {', '.join(missing)}; expected tcgcsv's price schema")
    if "categoryId" not in raw.columns:
        raw = raw.assign(categoryId=default_category)
    raw = raw.assign(categoryId=_whole_numbers(raw["categoryId"], path, "categoryId"))
    found = sorted(int(c) for c in raw["categoryId"].unique())
    raw = raw[raw["categoryId"].isin(list(categories))]
    if found and raw.empty:
        raise SourceError(f"{path}: no rows of category {', '.join(map(str, categories))} (POKEWATCH_CATEGORIES); "
                          f"the file holds category {', '.join(map(str, found))}")
    frame = raw[[*TCGCSV_COLUMNS, "categoryId"]].rename(columns={**TCGCSV_COLUMNS, "categoryId": "category_id"})
    try:
        frame["as_of"] = pd.to_datetime(frame["as_of"], format="%Y-%m-%d").dt.date
    except (ValueError, TypeError) as exc:
        raise SourceError(f"{path}: column 'date' holds a value that is not a YYYY-MM-DD date ({exc})") from None
    for column in ("product_id", "set_id"):
        frame[column] = _whole_numbers(frame[column], path, column)
    for column in NUMERIC_COLUMNS:
        frame[column] = _numbers(frame[column], path, column)
    return frame[["as_of", *PRICE_COLUMNS]].reset_index(drop=True)


def _numbers(series: pd.Series, path: Path, column: str) -> pd.Series:
    values = pd.to_numeric(series, errors="coerce")
    bad = series.notna() & values.isna()
    if bad.any():
        row = bad.idxmax()
        raise SourceError(f"{path}: row {row}, column {column!r}: {series[row]!r} is not a number")
    return values.astype("float64")


def _whole_numbers(series: pd.Series, path: Path, column: str) -> pd.Series:
    values = _numbers(series, path, column)
    if values.isna().any():
        raise SourceError(f"{path}: row {values.isna().idxmax()}, column {column!r} is empty")
    return values.astype("int64")
