"""History from files in tcgcsv's price schema (parquet or CSV), e.g. ../shared/data/tcgcsv/*.parquet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from pokewatch.landing_schema import FIRST_PRICE_DAY, MAX_ID, NUMERIC_COLUMNS, PRICE_CEILING, PRICE_COLUMNS
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
    raw = raw.assign(categoryId=_ids(raw["categoryId"], path, "categoryId"))
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
    _check_days(frame["as_of"], raw["date"], path)
    for column in ("product_id", "set_id"):
        frame[column] = _ids(frame[column], path, FILE_NAMES[column])
    for column in NUMERIC_COLUMNS:
        frame[column] = _prices(frame[column], path, FILE_NAMES[column])
    _check_text(frame["variant"], path, FILE_NAMES["variant"])
    return frame[["as_of", *PRICE_COLUMNS]].reset_index(drop=True)


FILE_NAMES = {ours: theirs for theirs, ours in TCGCSV_COLUMNS.items()}


def _first(bad: pd.Series, values: pd.Series, path: Path, column: str, what: str) -> None:
    """One line naming the first offending row (the file's own row number and column) and how many there are."""
    bad = np.asarray(bad, dtype=bool)
    if bad.any():
        at = bad.nonzero()[0][0]
        more = f" ({int(bad.sum()):,} rows like it)" if bad.sum() > 1 else ""
        value = values.iloc[at]
        value = value.item() if isinstance(value, np.generic) else value
        raise SourceError(f"{path}: row {values.index[at]}, column {column!r}: {value!r} {what}{more}; "
                          "nothing landed")


def _ids(series: pd.Series, path: Path, column: str) -> pd.Series:
    """Positive whole numbers that fit: no fraction, no sign, no overflow (checked before any cast)."""
    if series.isna().any():
        _first(series.isna(), series, path, column, "is empty")
    if pd.api.types.is_integer_dtype(series):  # int64 or uint64: compared as they are, before any cast
        _first((series <= 0) | (series > MAX_ID), series, path, column, f"is not an id in 1..{MAX_ID:,}")
        return series.astype("int64")
    values = _numbers(series, path, column)
    _first(values.isna(), series, path, column, "is empty")
    _first(values != np.floor(values), series, path, column, "is not a whole number")
    _first((values <= 0) | (values > MAX_ID), series, path, column, f"is not an id in 1..{MAX_ID:,}")
    return values.astype("int64")


def _prices(series: pd.Series, path: Path, column: str) -> pd.Series:
    values = _numbers(series, path, column)
    _first(np.isinf(values), series, path, column, "is not a finite price")
    _first(values < 0, series, path, column, "is a negative price")
    _first(values > PRICE_CEILING, series, path, column, f"is above the price ceiling ${PRICE_CEILING:,.0f}")
    return values


def _check_days(days: pd.Series, raw: pd.Series, path: Path) -> None:
    first, last = dt.date.fromisoformat(FIRST_PRICE_DAY), dt.date.today() + dt.timedelta(days=1)
    _first(days.isna(), raw, path, "date", "is empty")
    _first((days < first) | (days > last), raw, path, "date",
           f"is outside {first}..{last} (a price's day must be real and not in the future)")


def _check_text(series: pd.Series, path: Path, column: str) -> None:
    text = series.astype(str)
    _first(series.isna() | (text.str.strip() == ""), series, path, column, "is empty")
    _first(text.str.contains("\x00", regex=False), series, path, column, "holds a NUL byte")


def _numbers(series: pd.Series, path: Path, column: str) -> pd.Series:
    values = pd.to_numeric(series, errors="coerce")
    bad = series.notna() & values.isna()
    if bad.any():
        row = bad.idxmax()
        raise SourceError(f"{path}: row {row}, column {column!r}: {series[row]!r} is not a number")
    return values.astype("float64")

